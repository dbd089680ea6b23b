package dev.bootsupervisor.worker;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.bootsupervisor.protocol.BrokenCause;
import dev.bootsupervisor.protocol.Frame;
import dev.bootsupervisor.protocol.FrameCodec;
import dev.bootsupervisor.protocol.MessageType;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link BrokenReports}.
 */
class BrokenReportsTests {

	private final List<Frame> sent = new CopyOnWriteArrayList<>();

	private final List<String> sentEncoded = new CopyOnWriteArrayList<>();

	@Test
	void reportsEachCauseOnce() {
		BrokenReports reports = new BrokenReports(1, this.sent::add, this::decode);
		reports.report(BrokenCause.LIVENESS, "first");
		reports.report(BrokenCause.LIVENESS, "second");
		reports.report(BrokenCause.DEADLOCK, "deadlock");
		assertThat(this.sent).extracting((frame) -> frame.fields().get("detail")).containsExactly("first", "deadlock");
	}

	@Test
	void tellsAnOutOfMemoryErrorWithTheMessageEncodedUpFrontWhenDescribingItFails() throws Exception {
		BrokenReports reports = new BrokenReports(1, (frame) -> {
			throw new OutOfMemoryError("Java heap space");
		}, this::decode);
		reports.reportOutOfMemory(new OutOfMemoryError("Java heap space"));
		reports.reportOutOfMemory(new OutOfMemoryError("Java heap space"));
		assertThat(this.sentEncoded).singleElement().satisfies((line) -> {
			Frame frame = FrameCodec.decode(line.strip());
			assertThat(frame.type()).isEqualTo(MessageType.BROKEN);
			assertThat(frame.fields()).containsEntry("cause", "out-of-memory");
		});
	}

	private void decode(ByteBuffer buffer) {
		byte[] bytes = new byte[buffer.remaining()];
		buffer.get(bytes);
		this.sentEncoded.add(new String(bytes, StandardCharsets.UTF_8));
	}

}
