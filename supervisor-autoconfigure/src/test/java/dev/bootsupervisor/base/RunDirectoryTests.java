package dev.bootsupervisor.base;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;


import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link RunDirectory}. The lock is taken by a child JVM where another process must see it.
 */
@Timeout(60)
class RunDirectoryTests {

	@TempDir
	Path dir;

	@Test
	void aStalePidThatNamesAnotherLiveProcessIsCalledNotThisAppsMaster() throws Exception {
		// this JVM is alive and is no master of any run directory: a reused pid
		long live = ProcessHandle.current().pid();
		assertThat(RunDirectory.describeStale(live)).isEqualTo("pid " + live
				+ " is not this app's master (another process has that pid now; left alone)");
		Process exited = new ProcessBuilder("true").start();
		exited.waitFor();
		assertThat(RunDirectory.describeStale(exited.pid())).isEqualTo("pid " + exited.pid() + " is not running");
	}

	@Test
	void aLockedRunDirectoryOutsideTheDefaultBaseIsRegisteredUntilItIsReleased() throws Exception {
		// the registry is the real one of this user: list finds a run directory elsewhere through it
		Path path = this.dir.resolve("elsewhere");
		RunDirectory runDirectory = new RunDirectory(path);
		runDirectory.prepare();
		runDirectory.lock();
		Path entry = runDirectory.registration();
		try {
			assertThat(entry.getParent()).isEqualTo(RunDirectory.registry());
			assertThat(Files.readString(entry)).isEqualTo(path.toAbsolutePath().toString());
			assertThat(permissions(entry)).isEqualTo("rw-------");
			assertThat(permissions(RunDirectory.registry())).isEqualTo("rwx------");
		}
		finally {
			runDirectory.release();
		}
		assertThat(entry).doesNotExist();
	}

	@Test
	void aRunDirectoryInTheDefaultBaseIsNotRegistered() throws Exception {
		RunDirectory runDirectory = new RunDirectory(RunDirectory.defaultPath("registry-test-" + ProcessHandle.current().pid()));
		try {
			runDirectory.prepare();
			runDirectory.lock();
			assertThat(runDirectory.registration()).doesNotExist();
		}
		finally {
			runDirectory.release();
			Files.deleteIfExists(runDirectory.path().resolve("lock"));
			Files.deleteIfExists(runDirectory.path());
		}
	}

	@Test
	void prepareCreatesTheDirectoryAndMissingParentsForTheOwnerOnly() throws Exception {
		Path path = this.dir.resolve("boot-supervisor-me/app");
		RunDirectory runDirectory = new RunDirectory(path);
		runDirectory.prepare();
		assertThat(path).isDirectory();
		assertThat(permissions(path)).isEqualTo("rwx------");
		assertThat(permissions(path.getParent())).isEqualTo("rwx------");
		assertThat(runDirectory.path()).isEqualTo(path.toAbsolutePath());
		assertThat(runDirectory.pidFile()).isEqualTo(path.resolve("master.pid"));
		assertThat(runDirectory.socket()).isEqualTo(path.resolve("master.sock"));
		assertThat(runDirectory.tokenFile()).isEqualTo(path.resolve("token"));
	}

	@Test
	void prepareAcceptsAnExistingOwnerOnlyDirectory() throws Exception {
		Path path = Files.createDirectory(this.dir.resolve("app"));
		Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwx------"));
		Files.writeString(path.resolve("keep"), "x");
		new RunDirectory(path).prepare();
		assertThat(path.resolve("keep")).exists();
	}

	@Test
	void prepareRefusesADirectoryOthersCanAccess() throws Exception {
		Path path = Files.createDirectory(this.dir.resolve("app"));
		Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
		assertThatExceptionOfType(LaunchException.class).isThrownBy(() -> new RunDirectory(path).prepare())
			.withMessageContaining(path.toString())
			.withMessageContaining("accessible to other users (rwxr-xr-x)")
			.withMessageContaining("chmod 700 " + path)
			.withMessageContaining("--supervisor.run-dir")
			.satisfies((ex) -> assertThat(ex.exitCode()).isEqualTo(78));
		assertThat(permissions(path)).isEqualTo("rwxr-xr-x");
	}

	@Test
	void prepareRefusesAGroupWritableDirectory() throws Exception {
		Path path = Files.createDirectory(this.dir.resolve("app"));
		Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwx-w----"));
		assertThatExceptionOfType(LaunchException.class).isThrownBy(() -> new RunDirectory(path).prepare())
			.withMessageContaining("chmod 700");
	}

	@Test
	void prepareRefusesASymbolicLink() throws Exception {
		Path target = Files.createDirectory(this.dir.resolve("target"));
		Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwx------"));
		Path link = Files.createSymbolicLink(this.dir.resolve("link"), target);
		assertThatExceptionOfType(LaunchException.class).isThrownBy(() -> new RunDirectory(link).prepare());
	}

	@Test
	void prepareFailsWithAMessageWhenTheDirectoryCannotBeCreated() throws Exception {
		Path file = Files.writeString(this.dir.resolve("file"), "x");
		assertThatExceptionOfType(LaunchException.class)
			.isThrownBy(() -> new RunDirectory(file.resolve("app")).prepare())
			.withMessageContaining("Cannot create the run directory " + file.resolve("app"));
	}

	@Test
	void prepareSaysTheRunDirectoryIsAFile() throws Exception {
		Path file = Files.writeString(this.dir.resolve("file"), "x");
		assertThatExceptionOfType(LaunchException.class).isThrownBy(() -> new RunDirectory(file).prepare())
			.withMessage("supervisor.run-dir=" + file + " is a file, not a directory; remove it or choose another "
					+ "with --supervisor.run-dir")
			.satisfies((ex) -> assertThat(ex.exitCode()).isEqualTo(78));
	}

	@Test
	void prepareSaysWhichParentIsAFile() throws Exception {
		Path file = Files.writeString(this.dir.resolve("file"), "x");
		assertThatExceptionOfType(LaunchException.class)
			.isThrownBy(() -> new RunDirectory(file.resolve("a").resolve("app")).prepare())
			.withMessage("Cannot create the run directory " + file.resolve("a").resolve("app") + ": " + file
					+ " is a file, not a directory; choose another with --supervisor.run-dir");
	}

	@Test
	void notLockedWithoutAMaster() throws Exception {
		RunDirectory runDirectory = prepared();
		assertThat(runDirectory.isLocked()).isFalse();
		Files.writeString(runDirectory.path().resolve("lock"), "");
		assertThat(runDirectory.isLocked()).isFalse();
	}

	@Test
	void lockHeldByAnotherProcessIsSeenAndRefused() throws Exception {
		RunDirectory runDirectory = prepared();
		try (ChildJvm child = ChildJvm.start(RunDirectoryLockProbe.class, runDirectory.path().toString())) {
			child.awaitLine("locked");
			assertThat(runDirectory.isLocked()).isTrue();
			RunDirectory second = new RunDirectory(runDirectory.path());
			assertThatExceptionOfType(LaunchException.class).isThrownBy(second::lock)
				.withMessage("already running (pid " + child.process().pid() + "): run directory "
						+ runDirectory.path());
			assertThat(runDirectory.isLocked()).isTrue();
			assertThat(runDirectory.pidFile()).hasContent(String.valueOf(child.process().pid()));
			child.proceed();
			child.awaitLine("released");
			assertThat(child.awaitExit()).isZero();
		}
		assertThat(runDirectory.isLocked()).isFalse();
		assertThat(runDirectory.pidFile()).doesNotExist();
	}

	@Test
	void lockIsFreedWhenTheHolderDies() throws Exception {
		RunDirectory runDirectory = prepared();
		try (ChildJvm child = ChildJvm.start(RunDirectoryLockProbe.class, runDirectory.path().toString())) {
			child.awaitLine("locked");
			child.process().destroyForcibly().waitFor();
		}
		assertThat(runDirectory.isLocked()).isFalse();
		assertThat(runDirectory.pidFile()).exists();
		RunDirectory next = new RunDirectory(runDirectory.path());
		next.lock();
		try {
			try (ChildJvm child = ChildJvm.start(RunDirectoryLockProbe.class, runDirectory.path().toString())) {
				assertThat(child.awaitLine("refused ")).startsWith("already running (pid ");
				assertThat(child.awaitExit()).isEqualTo(1);
			}
		}
		finally {
			next.release();
		}
		assertThat(runDirectory.isLocked()).isFalse();
	}

	@Test
	void removeStalePidFileReturnsTheStalePid() throws Exception {
		RunDirectory runDirectory = prepared();
		assertThat(runDirectory.removeStalePidFile()).isEmpty();
		Files.writeString(runDirectory.pidFile(), "4242\n");
		assertThat(runDirectory.readPid()).contains(4242L);
		assertThat(runDirectory.removeStalePidFile()).contains(4242L);
		assertThat(runDirectory.pidFile()).doesNotExist();
		assertThat(runDirectory.readPid()).isEmpty();
	}

	@Test
	void removeStalePidFileRemovesAGarbledFile() throws Exception {
		RunDirectory runDirectory = prepared();
		Files.writeString(runDirectory.pidFile(), "not a pid");
		assertThat(runDirectory.readPid()).isEmpty();
		assertThat(runDirectory.removeStalePidFile()).contains(-1L);
		assertThat(runDirectory.pidFile()).doesNotExist();
	}

	@Test
	void writeOwnerOnlyReplacesAFileWithAnOwnerOnlyOne() throws Exception {
		RunDirectory runDirectory = prepared();
		Files.writeString(runDirectory.tokenFile(), "old token, world readable");
		Files.setPosixFilePermissions(runDirectory.tokenFile(), PosixFilePermissions.fromString("rw-r--r--"));
		runDirectory.writeOwnerOnly(runDirectory.tokenFile(), "secret");
		assertThat(runDirectory.tokenFile()).hasContent("secret");
		assertThat(permissions(runDirectory.tokenFile())).isEqualTo("rw-------");
	}

	@Test
	void releaseRemovesTheRunFilesAndTheLock() throws Exception {
		RunDirectory runDirectory = prepared();
		runDirectory.lock();
		runDirectory.writeOwnerOnly(runDirectory.pidFile(), "1");
		runDirectory.writeOwnerOnly(runDirectory.tokenFile(), "secret");
		Files.writeString(runDirectory.socket(), "");
		runDirectory.release();
		assertThat(runDirectory.pidFile()).doesNotExist();
		assertThat(runDirectory.tokenFile()).doesNotExist();
		assertThat(runDirectory.socket()).doesNotExist();
		assertThat(runDirectory.isLocked()).isFalse();
		try (ChildJvm child = ChildJvm.start(RunDirectoryLockProbe.class, runDirectory.path().toString())) {
			child.awaitLine("locked");
		}
	}

	@Test
	void releaseWithoutLockIsHarmless() throws Exception {
		RunDirectory runDirectory = prepared();
		runDirectory.release();
		assertThat(runDirectory.path()).isDirectory();
	}

	@Test
	void defaultPathIsPerUserAndName() {
		Path path = RunDirectory.defaultPath("sample-app");
		assertThat(path.getFileName()).hasToString("sample-app");
		String runtime = System.getenv("XDG_RUNTIME_DIR");
		if (runtime != null && Files.isDirectory(Path.of(runtime))) {
			assertThat(path).isEqualTo(Path.of(runtime, "boot-supervisor", "sample-app"));
		}
		else {
			assertThat(path).isEqualTo(Path.of(System.getProperty("java.io.tmpdir"),
					"boot-supervisor-" + System.getProperty("user.name"), "sample-app"));
		}
	}

	private RunDirectory prepared() throws LaunchException {
		RunDirectory runDirectory = new RunDirectory(this.dir.resolve("run"));
		runDirectory.prepare();
		return runDirectory;
	}

	private static String permissions(Path path) throws IOException {
		return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
	}

}
