package dev.bootsupervisor.master;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link OrphanReaper}, on a fake {@code /proc}.
 */
class OrphanReaperTests {

	private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

	@TempDir
	Path proc;

	private final List<Integer> reaped = new ArrayList<>();

	@Test
	void reapsZombieChildrenOfPidOneThatTheMasterDidNotStart() throws IOException {
		process(1, "java", 'S', 0);
		process(40, "sleep", 'Z', 1);
		process(41, "java", 'Z', 1);
		process(42, "sh (odd) name", 'Z', 1);
		process(43, "sleep", 'S', 1);
		process(44, "grandchild", 'Z', 43);
		reaper(true, Set.of(41L)).check(NOW);
		assertThat(this.reaped).containsExactlyInAnyOrder(40, 42);
	}

	@Test
	void doesNothingWhenNotPidOne() throws IOException {
		process(40, "sleep", 'Z', 1);
		reaper(false, Set.of()).check(NOW);
		assertThat(this.reaped).isEmpty();
	}

	@Test
	void scansAtMostOnceASecond() throws IOException {
		process(40, "sleep", 'Z', 1);
		OrphanReaper reaper = reaper(true, Set.of());
		reaper.check(NOW);
		reaper.check(NOW.plusMillis(500));
		assertThat(this.reaped).containsExactly(40);
		reaper.check(NOW.plusMillis(1000));
		assertThat(this.reaped).containsExactly(40, 40);
	}

	private OrphanReaper reaper(boolean init, Set<Long> watched) {
		return new OrphanReaper(this.proc, init, watched::contains, (pid) -> {
			this.reaped.add(pid);
			return 0;
		});
	}

	private void process(int pid, String name, char state, int ppid) throws IOException {
		Path directory = Files.createDirectories(this.proc.resolve(Integer.toString(pid)));
		Files.writeString(directory.resolve("stat"),
				pid + " (" + name + ") " + state + " " + ppid + " " + pid + " " + pid + " 0 -1 4194560 0 0 0 0 0 0\n");
	}

}
