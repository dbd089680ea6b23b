package dev.bootsupervisor.master;

import java.nio.file.Path;
import java.util.List;

/**
 * The kind of class-data archive a JVM release makes best, and the options that train, use and check it: a dynamic
 * CDS archive on Java 17 to 24, the AOT cache (JEP 483, one training step since JEP 514) on Java 25 and later.
 */
enum ArchiveFormat {

	/** A dynamic AppCDS archive, written when the training JVM exits. */
	DYNAMIC("app.jsa", "-XX:ArchiveClassesAtExit=", "-XX:SharedArchiveFile=", "-Xshare:on"),

	/** An AOT cache, created by the training JVM as it exits. */
	AOT("app.aot", "-XX:AOTCacheOutput=", "-XX:AOTCache=", "-XX:AOTMode=on");

	/** The first release with {@code -XX:AOTCacheOutput}. */
	static final int AOT_RELEASE = 25;

	/** JVM options that choose class data sharing themselves: the supervisor then leaves it to them. */
	private static final List<String> OWN_SHARING = List.of("-Xshare", "-XX:SharedArchiveFile",
			"-XX:ArchiveClassesAtExit", "-XX:+AutoCreateSharedArchive", "-XX:SharedClassListFile",
			"-XX:DumpLoadedClassList", "-XX:AOTCache", "-XX:AOTMode", "-XX:AOTConfiguration", "-XX:AOTCacheOutput");

	private final String fileName;

	private final String trainOption;

	private final String useOption;

	private final String strictOption;

	ArchiveFormat(String fileName, String trainOption, String useOption, String strictOption) {
		this.fileName = fileName;
		this.trainOption = trainOption;
		this.useOption = useOption;
		this.strictOption = strictOption;
	}

	/**
	 * The format of a JVM release.
	 * @param feature the release's feature number, such as 17 or 25
	 * @return the format
	 */
	static ArchiveFormat of(int feature) {
		return (feature >= AOT_RELEASE) ? AOT : DYNAMIC;
	}

	/**
	 * The option among these that chooses class data sharing itself, {@code null} when there is none.
	 * @param jvmOptions the workers' JVM options
	 * @return the option
	 */
	static String ownSharing(List<String> jvmOptions) {
		return jvmOptions.stream()
			.filter((option) -> OWN_SHARING.stream().anyMatch(option::startsWith))
			.findFirst()
			.orElse(null);
	}

	String fileName() {
		return this.fileName;
	}

	/** The option of the training run that writes the archive to this file. */
	String train(Path archive) {
		return this.trainOption + archive;
	}

	/** The option of a worker that starts with this archive, and goes on without it if the JVM refuses it. */
	String use(Path archive) {
		return this.useOption + archive;
	}

	/** The options of a check that fails when the JVM cannot use this archive. */
	List<String> strict(Path archive) {
		return List.of(use(archive), this.strictOption);
	}

	String label() {
		return (this == AOT) ? "AOT cache" : "CDS archive";
	}

}
