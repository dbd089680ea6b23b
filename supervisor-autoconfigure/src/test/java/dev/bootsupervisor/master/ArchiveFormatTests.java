package dev.bootsupervisor.master;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ArchiveFormat}: which archive each JVM release gets, and with which options.
 */
class ArchiveFormatTests {

	private final Path archive = Path.of("/run/app/cds/k/app");

	@Test
	void javaSeventeenToTwentyFourGetADynamicArchive() {
		assertThat(ArchiveFormat.of(17)).isEqualTo(ArchiveFormat.DYNAMIC);
		assertThat(ArchiveFormat.of(24)).isEqualTo(ArchiveFormat.DYNAMIC);
		assertThat(ArchiveFormat.DYNAMIC.train(this.archive)).isEqualTo("-XX:ArchiveClassesAtExit=/run/app/cds/k/app");
		assertThat(ArchiveFormat.DYNAMIC.use(this.archive)).isEqualTo("-XX:SharedArchiveFile=/run/app/cds/k/app");
		assertThat(ArchiveFormat.DYNAMIC.strict(this.archive)).containsExactly(
				"-XX:SharedArchiveFile=/run/app/cds/k/app", "-Xshare:on");
	}

	@Test
	void javaTwentyFiveAndLaterGetAnAotCacheInOneStep() {
		assertThat(ArchiveFormat.of(25)).isEqualTo(ArchiveFormat.AOT);
		assertThat(ArchiveFormat.of(26)).isEqualTo(ArchiveFormat.AOT);
		assertThat(ArchiveFormat.AOT.train(this.archive)).isEqualTo("-XX:AOTCacheOutput=/run/app/cds/k/app");
		assertThat(ArchiveFormat.AOT.use(this.archive)).isEqualTo("-XX:AOTCache=/run/app/cds/k/app");
		assertThat(ArchiveFormat.AOT.strict(this.archive)).containsExactly("-XX:AOTCache=/run/app/cds/k/app",
				"-XX:AOTMode=on");
	}

	@Test
	void optionsThatChooseTheirOwnSharingAreFound() {
		assertThat(ArchiveFormat.ownSharing(List.of("-Xmx256m", "-Dx=1"))).isNull();
		assertThat(ArchiveFormat.ownSharing(List.of("-Xmx256m", "-Xshare:off"))).isEqualTo("-Xshare:off");
		assertThat(ArchiveFormat.ownSharing(List.of("-XX:SharedArchiveFile=my.jsa"))).isEqualTo("-XX:SharedArchiveFile=my.jsa");
		assertThat(ArchiveFormat.ownSharing(List.of("-XX:AOTCache=app.aot"))).isEqualTo("-XX:AOTCache=app.aot");
		assertThat(ArchiveFormat.ownSharing(List.of("-XX:+AutoCreateSharedArchive"))).isNotNull();
	}

}
