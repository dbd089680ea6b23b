package dev.bootsupervisor.protocol;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link FrameCodec}.
 */
class FrameCodecTests {

	@Test
	void encodesOneLineWithTypeAndFieldsInOrder() {
		Frame frame = Frame.of(MessageType.HELLO, "role", "worker", "worker", 2, "pid", 1234L);
		assertThat(FrameCodec.encode(frame)).isEqualTo("HELLO role=worker worker=2 pid=1234\n");
		assertThat(FrameCodec.encodeBytes(frame)).isEqualTo("HELLO role=worker worker=2 pid=1234\n"
			.getBytes(StandardCharsets.UTF_8));
	}

	@Test
	void roundTripsValuesWithSpacesUnicodeEqualsAndPercent() throws Exception {
		Map<String, String> fields = new LinkedHashMap<>();
		fields.put("error", "Port 8080 is already in use (*:8080)");
		fields.put("name", "caf\u00e9-\u65e5\u672c-\ud83d\ude80");
		fields.put("expr", "a=b&c=d+e 100%");
		fields.put("empty", "");
		fields.put("lines", "first\nsecond\ttabbed\r");
		fields.put("w0.last-exit_reason", "killed after 30 s");
		Frame frame = new Frame(MessageType.FAILED, fields);
		String line = FrameCodec.encode(frame);
		assertThat(line).endsWith("\n").doesNotContain("\r").containsOnlyOnce("\n");
		Frame decoded = FrameCodec.read(stream(line));
		assertThat(decoded).isEqualTo(frame);
		assertThat(decoded.fields().keySet()).containsExactlyElementsOf(fields.keySet());
	}

	@Test
	void roundTripsATypeWithoutFields() throws Exception {
		Frame frame = Frame.of(MessageType.READY);
		assertThat(FrameCodec.encode(frame)).isEqualTo("READY\n");
		assertThat(FrameCodec.read(stream("READY\n"))).isEqualTo(frame);
	}

	@Test
	void decodesARawEqualsSignInAValue() throws Exception {
		assertThat(FrameCodec.decode("REPLY expr=a=b").require("expr")).isEqualTo("a=b");
	}

	@Test
	void readsConsecutiveFramesFromOneStream() throws Exception {
		InputStream in = stream("READY\nDRAINING reason=shutdown\n");
		assertThat(FrameCodec.read(in).type()).isEqualTo(MessageType.READY);
		assertThat(FrameCodec.read(in).require("reason")).isEqualTo("shutdown");
		assertThatExceptionOfType(EOFException.class).isThrownBy(() -> FrameCodec.read(in));
	}

	@Test
	void refusesToEncodeAnInvalidKey() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> FrameCodec.encode(Frame.of(MessageType.REPLY, "bad key", "x")))
			.withMessageContaining("bad key");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> FrameCodec.encode(Frame.of(MessageType.REPLY, "1st", "x")));
	}

	@Test
	void rejectsAnEmptyMessage() {
		assertThatExceptionOfType(ProtocolException.class).isThrownBy(() -> FrameCodec.read(stream("\n")))
			.withMessage("empty message");
	}

	@Test
	void rejectsAnUnknownType() {
		assertThatExceptionOfType(ProtocolException.class).isThrownBy(() -> FrameCodec.decode("GOODBYE a=1"))
			.withMessageContaining("unknown message type 'GOODBYE'");
		assertThatExceptionOfType(ProtocolException.class).isThrownBy(() -> FrameCodec.decode("hello a=1"))
			.withMessageContaining("unknown message type");
		assertThatExceptionOfType(ProtocolException.class).isThrownBy(() -> FrameCodec.decode(" READY"))
			.withMessageContaining("unknown message type");
	}

	@Test
	void abbreviatesALongUnknownTypeInTheMessage() {
		String type = "X".repeat(500);
		assertThatExceptionOfType(ProtocolException.class).isThrownBy(() -> FrameCodec.decode(type))
			.satisfies((ex) -> assertThat(ex.getMessage()).hasSizeLessThan(100).contains("..."));
	}

	@Test
	void rejectsMalformedFields() {
		for (String line : new String[] { "READY novalue", "READY =value", "READY 1a=b", "READY a b=c",
				"READY a=1  b=2", "READY a=1 ", "READY a/b=1", "READY " + "k".repeat(65) + "=1" }) {
			assertThatExceptionOfType(ProtocolException.class).as(line)
				.isThrownBy(() -> FrameCodec.decode(line))
				.withMessageContaining("malformed field");
		}
	}

	@Test
	void rejectsABadlyEncodedValue() {
		assertThatExceptionOfType(ProtocolException.class).isThrownBy(() -> FrameCodec.decode("READY a=%zz"))
			.withMessageContaining("badly encoded value of 'a'");
		assertThatExceptionOfType(ProtocolException.class).isThrownBy(() -> FrameCodec.decode("READY a=100%"))
			.withMessageContaining("badly encoded value of 'a'");
	}

	@Test
	void rejectsARepeatedKey() {
		assertThatExceptionOfType(ProtocolException.class)
			.isThrownBy(() -> FrameCodec.decode("HELLO token=a role=worker token=b"))
			.withMessageContaining("repeated field 'token'");
	}

	@Test
	void rejectsTooManyFields() throws Exception {
		assertThat(FrameCodec.decode(lineWithFields(50)).fields()).hasSize(50);
		assertThatExceptionOfType(ProtocolException.class)
			.isThrownBy(() -> FrameCodec.decode(lineWithFields(20_000)))
			.withMessageContaining("too many fields (20000)");
	}

	@Test
	void readsALineOfExactlyTheMaximumLength() throws Exception {
		String line = "REPLY v=" + "x".repeat(FrameCodec.MAX_LINE_BYTES - "REPLY v=".length());
		assertThat(line).hasSize(FrameCodec.MAX_LINE_BYTES);
		assertThat(FrameCodec.readLine(stream(line + "\n"))).isEqualTo(line);
	}

	@Test
	void rejectsALineOverTheMaximumLengthWithoutReadingItAll() {
		byte[] bytes = ("REPLY v=" + "x".repeat(10 * FrameCodec.MAX_LINE_BYTES) + "\n")
			.getBytes(StandardCharsets.UTF_8);
		ByteArrayInputStream in = new ByteArrayInputStream(bytes);
		assertThatExceptionOfType(ProtocolException.class).isThrownBy(() -> FrameCodec.readLine(in))
			.withMessageContaining("longer than " + FrameCodec.MAX_LINE_BYTES);
		assertThat(bytes.length - in.available()).isEqualTo(FrameCodec.MAX_LINE_BYTES + 1);
	}

	@Test
	void rejectsALineOneByteOverTheMaximum() {
		String line = "REPLY v=" + "x".repeat(FrameCodec.MAX_LINE_BYTES + 1 - "REPLY v=".length());
		assertThatExceptionOfType(ProtocolException.class).isThrownBy(() -> FrameCodec.readLine(stream(line + "\n")))
			.withMessageContaining("longer than");
	}

	@Test
	void rejectsControlCharacters() {
		for (String line : new String[] { "READY a=1\r", "READY\ta=1", "READY a=\u0000", "READY a=\u001b[31m" }) {
			assertThatExceptionOfType(ProtocolException.class).as(line)
				.isThrownBy(() -> FrameCodec.readLine(stream(line + "\n")))
				.withMessageContaining("control characters or invalid UTF-8");
		}
	}

	@Test
	void rejectsInvalidUtf8() {
		byte[] latin1 = "READY name=caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1);
		assertThatExceptionOfType(ProtocolException.class)
			.isThrownBy(() -> FrameCodec.readLine(new ByteArrayInputStream(latin1)))
			.withMessageContaining("invalid UTF-8");
		byte[] truncated = { 'R', 'E', 'A', 'D', 'Y', ' ', 'a', '=', (byte) 0xe6, (byte) 0x97, '\n' };
		assertThatExceptionOfType(ProtocolException.class)
			.isThrownBy(() -> FrameCodec.readLine(new ByteArrayInputStream(truncated)))
			.withMessageContaining("invalid UTF-8");
	}

	@Test
	void acceptsRawUtf8InALine() throws Exception {
		assertThat(FrameCodec.read(stream("REPLY name=caf\u00e9\n")).require("name")).isEqualTo("caf\u00e9");
	}

	@Test
	void endOfStreamMidLineIsAnEofException() {
		assertThatExceptionOfType(EOFException.class).isThrownBy(() -> FrameCodec.readLine(stream("READY a=1")));
		assertThatExceptionOfType(EOFException.class).isThrownBy(() -> FrameCodec.readLine(stream("")));
	}

	@Test
	void readFailureIsPropagated() {
		InputStream failing = new InputStream() {

			@Override
			public int read() throws IOException {
				throw new IOException("boom");
			}

		};
		assertThatExceptionOfType(IOException.class).isThrownBy(() -> FrameCodec.read(failing)).withMessage("boom");
	}

	@Test
	void frameRequireReportsMissingAndNonNumericFields() throws Exception {
		Frame frame = Frame.of(MessageType.HEARTBEAT, "pid", "12", "heap", "lots", "big", Long.MAX_VALUE, "gone",
				null);
		assertThat(frame.fields()).containsOnlyKeys("pid", "heap", "big");
		assertThat(frame.requireInt("pid")).isEqualTo(12);
		assertThat(frame.get("gone")).isEmpty();
		assertThatExceptionOfType(ProtocolException.class).isThrownBy(() -> frame.require("gone"))
			.withMessage("HEARTBEAT lacks field 'gone'");
		assertThatExceptionOfType(ProtocolException.class).isThrownBy(() -> frame.requireLong("heap"))
			.withMessageContaining("not a number: lots");
		assertThatExceptionOfType(ProtocolException.class).isThrownBy(() -> frame.requireInt("big"))
			.withMessageContaining("out of range");
		assertThatIllegalArgumentException().isThrownBy(() -> Frame.of(MessageType.READY, "odd"));
	}

	private static String lineWithFields(int count) {
		return "REPLY " + IntStream.range(0, count).mapToObj((i) -> "k" + i + "=" + i).collect(Collectors.joining(" "));
	}

	private static InputStream stream(String text) {
		return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
	}

}
