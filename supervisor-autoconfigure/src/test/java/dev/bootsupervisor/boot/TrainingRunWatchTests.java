package dev.bootsupervisor.boot;

import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link TrainingRunWatch}.
 */
class TrainingRunWatchTests {

	@Test
	void theRunEndsWhenTheMastersPipeEndsAndNotBefore() throws Exception {
		PipedOutputStream master = new PipedOutputStream();
		PipedInputStream in = new PipedInputStream(master);
		CountDownLatch ended = new CountDownLatch(1);
		Thread watch = new Thread(new TrainingRunWatch(in, () -> ended::countDown));
		watch.setDaemon(true);
		watch.start();
		master.write('x');
		master.flush();
		assertThat(ended.await(300, TimeUnit.MILLISECONDS)).as("ended while the master is there").isFalse();
		master.close();
		assertThat(ended.await(Duration.ofSeconds(5).toMillis(), TimeUnit.MILLISECONDS)).isTrue();
	}

	@Test
	void aFailedReadIsAGoneMasterToo() throws Exception {
		CountDownLatch ended = new CountDownLatch(1);
		new TrainingRunWatch(new java.io.InputStream() {

			@Override
			public int read() throws IOException {
				throw new IOException("broken");
			}

		}, () -> ended::countDown).run();
		assertThat(ended.getCount()).isZero();
	}

}
