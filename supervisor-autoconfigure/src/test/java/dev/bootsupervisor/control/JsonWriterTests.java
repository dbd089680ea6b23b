package dev.bootsupervisor.control;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link JsonWriter}.
 */
class JsonWriterTests {

	@Test
	void writesNestedObjectsAndArraysWithCommasBetweenMembersOnly() {
		String json = new JsonWriter().beginObject()
			.field("name", "app")
			.field("pid", 42)
			.field("running", true)
			.nullField("error")
			.name("workers")
			.beginArray()
			.beginObject()
			.field("id", 1)
			.endObject()
			.beginObject()
			.field("id", 2)
			.endObject()
			.endArray()
			.name("empty")
			.beginArray()
			.endArray()
			.name("map")
			.beginObject()
			.endObject()
			.endObject()
			.toString();
		assertThat(json).isEqualTo("{\"name\":\"app\",\"pid\":42,\"running\":true,\"error\":null,"
				+ "\"workers\":[{\"id\":1},{\"id\":2}],\"empty\":[],\"map\":{}}");
	}

	@Test
	void escapesQuotesBackslashesAndControlCharacters() {
		String json = new JsonWriter().beginArray()
			.value("a\"b\\c/d")
			.value("line\nnext\r\ttab\b\f")
			.value("\u0001\u001f\u2028")
			.value("é ü 日本")
			.value((String) null)
			.endArray()
			.toString();
		assertThat(json).isEqualTo("[\"a\\\"b\\\\c/d\",\"line\\nnext\\r\\ttab\\b\\f\",\"\\u0001\\u001f\\u2028\","
				+ "\"é ü 日本\",null]");
	}

	@Test
	void writesNegativeAndLargeNumbers() {
		assertThat(new JsonWriter().beginArray().value(-1).value(Long.MAX_VALUE).value(false).endArray().toString())
			.isEqualTo("[-1,9223372036854775807,false]");
	}

	@Test
	void escapesMemberNames() {
		assertThat(new JsonWriter().beginObject().field("a\"b", "x").endObject().toString())
			.isEqualTo("{\"a\\\"b\":\"x\"}");
	}

}
