package dev.bootsupervisor.worker;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import dev.bootsupervisor.protocol.BrokenCause;
import dev.bootsupervisor.protocol.Frame;
import dev.bootsupervisor.protocol.FrameCodec;
import dev.bootsupervisor.protocol.MessageType;

/**
 * Tells the master that this worker is broken, once per {@link BrokenCause}: a broken worker stays broken, and the
 * master replaces it after the first report. An {@link OutOfMemoryError} is told even when describing it fails for
 * want of memory, with a message encoded up front.
 */
final class BrokenReports {

	private static final System.Logger log = System.getLogger(BrokenReports.class.getName());

	private static final int MAX_DETAIL = 1000;

	private final int workerId;

	private final Consumer<Frame> send;

	private final Consumer<ByteBuffer> sendEncoded;

	/** The causes already reported, one bit per {@link BrokenCause}. */
	private final AtomicInteger sent = new AtomicInteger();

	private final ByteBuffer outOfMemoryFrame;

	/**
	 * Create the reports of one worker.
	 * @param workerId the worker's id, for the log
	 * @param send sends a frame to the master
	 * @param sendEncoded sends an encoded frame to the master, from its position to its limit
	 */
	BrokenReports(int workerId, Consumer<Frame> send, Consumer<ByteBuffer> sendEncoded) {
		this.workerId = workerId;
		this.send = send;
		this.sendEncoded = sendEncoded;
		byte[] frame = FrameCodec.encodeBytes(Frame.of(MessageType.BROKEN, "cause",
				BrokenCause.OUT_OF_MEMORY.wireName(), "detail", "OutOfMemoryError (no memory left to describe it)"));
		// Direct, so that writing it to the channel needs no temporary buffer either
		this.outOfMemoryFrame = ByteBuffer.allocateDirect(frame.length).put(frame).flip();
	}

	void report(BrokenCause cause, String detail) {
		if (first(cause)) {
			send(cause, detail);
		}
	}

	void reportOutOfMemory(OutOfMemoryError error) {
		if (!first(BrokenCause.OUT_OF_MEMORY)) {
			return;
		}
		try {
			send(BrokenCause.OUT_OF_MEMORY,
					"OutOfMemoryError: " + error.getMessage() + " in thread " + Thread.currentThread().getName());
		}
		catch (OutOfMemoryError stillOut) {
			try {
				// Used once at most, as the cause is reported once: no copy to allocate
				this.sendEncoded.accept(this.outOfMemoryFrame);
			}
			catch (OutOfMemoryError ex) {
				// Nothing left to tell it with: the master's hang watchdog is the fallback
			}
		}
	}

	private void send(BrokenCause cause, String detail) {
		String line = detail.replace('\n', ' ').replace('\r', ' ');
		if (line.length() > MAX_DETAIL) {
			line = line.substring(0, MAX_DETAIL - 3) + "...";
		}
		this.send.accept(Frame.of(MessageType.BROKEN, "cause", cause.wireName(), "detail", line));
		try {
			log.log(System.Logger.Level.ERROR, "Worker {0} (pid {1}) is broken ({2}: {3}); told the master, which "
					+ "replaces it", this.workerId, String.valueOf(ProcessHandle.current().pid()), cause.wireName(),
					line);
		}
		catch (OutOfMemoryError ex) {
			// Sent already: the log line is what a lack of memory may cost
		}
	}

	private boolean first(BrokenCause cause) {
		int bit = 1 << cause.ordinal();
		while (true) {
			int before = this.sent.get();
			if ((before & bit) != 0) {
				return false;
			}
			if (this.sent.compareAndSet(before, before | bit)) {
				return true;
			}
		}
	}

}
