package dev.bootsupervisor.protocol;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Feeds the frame decoder random and mutated input from a seeded generator, a fixed number of cases: nothing but
 * the documented errors ({@link ProtocolException}, {@link EOFException}) may come out, and every frame that does
 * decode encodes back to a frame that decodes the same.
 */
@Timeout(60)
class FrameCodecFuzzTests {

	private static final long SEED = 20261201L;

	private static final int CASES = 20_000;

	@Test
	void randomBytesGiveAFrameOrADocumentedError() {
		Random random = new Random(SEED);
		int decoded = 0;
		for (int i = 0; i < CASES; i++) {
			byte[] noise = new byte[random.nextInt(200)];
			random.nextBytes(noise);
			// half the cases start like a frame, so the decoder gets past the type and into the fields
			String prefix = random.nextBoolean()
					? MessageType.values()[random.nextInt(MessageType.values().length)].name() + " " : "";
			byte[] start = prefix.getBytes(StandardCharsets.UTF_8);
			byte[] input = new byte[start.length + noise.length + 1];
			System.arraycopy(start, 0, input, 0, start.length);
			System.arraycopy(noise, 0, input, start.length, noise.length);
			input[input.length - 1] = '\n';
			decoded += readAll(input, i) ? 1 : 0;
		}
		assertThat(decoded).as("cases where a frame came out").isPositive();
	}

	@Test
	void mutatedValidFramesGiveAFrameOrADocumentedError() {
		Random random = new Random(SEED + 1);
		int decoded = 0;
		for (int i = 0; i < CASES; i++) {
			MessageType type = MessageType.values()[random.nextInt(MessageType.values().length)];
			Frame frame = Frame.of(type, "command", word(random), "id", random.nextInt(), "text", word(random));
			byte[] bytes = FrameCodec.encodeBytes(frame);
			int mutations = 1 + random.nextInt(4);
			for (int m = 0; m < mutations && bytes.length > 0; m++) {
				int at = random.nextInt(bytes.length);
				switch (random.nextInt(3)) {
					case 0 -> bytes[at] = (byte) random.nextInt(256);
					case 1 -> bytes[at] = "=&%\n\r \u0000".getBytes(StandardCharsets.UTF_8)[random.nextInt(7)];
					default -> bytes = java.util.Arrays.copyOf(bytes, at);
				}
			}
			decoded += readAll(bytes, i) ? 1 : 0;
		}
		assertThat(decoded).as("mutations that keep a frame valid decode").isPositive();
	}

	@Test
	void oversizedAndFieldHeavyLinesAreRefusedWithAProtocolError() {
		String huge = "REQUEST " + "a".repeat(FrameCodec.MAX_LINE_BYTES + 10) + "\n";
		assertDocumentedError(huge.getBytes(StandardCharsets.UTF_8));
		StringBuilder many = new StringBuilder("REQUEST");
		for (int i = 0; i < 1000; i++) {
			many.append(' ').append("k").append(i).append("=v");
		}
		assertDocumentedError((many + "\n").getBytes(StandardCharsets.UTF_8));
	}

	private static void assertDocumentedError(byte[] input) {
		try {
			FrameCodec.read(new ByteArrayInputStream(input));
			fail("decoded: " + new String(input, 0, Math.min(80, input.length), StandardCharsets.UTF_8));
		}
		catch (ProtocolException | EOFException ex) {
			// documented
		}
		catch (IOException | RuntimeException ex) {
			fail("undocumented " + ex, ex);
		}
	}

	/** Read frames until the input ends; fail on anything but the documented errors. */
	private static boolean readAll(byte[] input, int caseNumber) {
		InputStream in = new ByteArrayInputStream(input);
		boolean any = false;
		while (true) {
			Frame frame;
			try {
				frame = FrameCodec.read(in);
			}
			catch (ProtocolException | EOFException ex) {
				return any;
			}
			catch (IOException | RuntimeException ex) {
				throw new AssertionError("case " + caseNumber + ": undocumented " + ex, ex);
			}
			any = true;
			try {
				Frame again = FrameCodec.decode(FrameCodec.encode(frame).strip());
				assertThat(again).as("case %d round trip", caseNumber).isEqualTo(frame);
			}
			catch (ProtocolException ex) {
				throw new AssertionError("case " + caseNumber + ": a decoded frame does not decode again", ex);
			}
		}
	}

	private static String word(Random random) {
		int length = random.nextInt(12);
		StringBuilder word = new StringBuilder();
		for (int i = 0; i < length; i++) {
			word.append((char) (0x20 + random.nextInt(0x60)));
		}
		return word.toString();
	}

}
