package dev.bootsupervisor.metrics;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Merges the Prometheus text (0.0.4) or OpenMetrics (1.0.0) scrapes of several workers into one: each family once,
 * with the metadata ({@code # HELP}, {@code # TYPE}, {@code # UNIT}) of its first scrape, followed by every
 * worker's samples in scrape order; a series that two scrapes both hold (the same name and labels) is kept once, from
 * the first, so a family that every worker reports alike appears once.
 */
final class TextExpositionMerger {

	private static final String EOF = "# EOF";

	private TextExpositionMerger() {
	}

	/**
	 * Merge scrapes.
	 * @param scrapes the scrapes, the answering worker's first
	 * @param openMetrics whether they are OpenMetrics, which ends with {@code # EOF}
	 * @param summary what the merged scrape holds, added as a gauge, {@code null} for none
	 * @return the merged scrape
	 */
	static byte[] merge(List<byte[]> scrapes, boolean openMetrics, ScrapeSummary summary) {
		Map<String, Family> families = new LinkedHashMap<>();
		for (int index = 0; index < scrapes.size(); index++) {
			read(new String(scrapes.get(index), StandardCharsets.UTF_8), index, families);
		}
		StringBuilder out = new StringBuilder();
		for (Family family : families.values()) {
			family.meta.forEach((line) -> out.append(line).append('\n'));
			family.samples.values().forEach((line) -> out.append(line).append('\n'));
		}
		if (summary != null) {
			summary(out, summary, openMetrics);
		}
		if (openMetrics) {
			out.append(EOF).append('\n');
		}
		return out.toString().getBytes(StandardCharsets.UTF_8);
	}

	private static void read(String scrape, int index, Map<String, Family> families) {
		Family family = null;
		String name = null;
		for (String line : scrape.split("\n")) {
			if (line.isEmpty() || line.equals(EOF)) {
				continue;
			}
			if (line.startsWith("#")) {
				String[] parts = line.split(" ", 4);
				boolean metadata = parts.length >= 3 && parts[0].equals("#")
						&& (parts[1].equals("HELP") || parts[1].equals("TYPE") || parts[1].equals("UNIT"));
				if (!metadata) {
					continue;
				}
				if (!parts[2].equals(name)) {
					name = parts[2];
					family = families.computeIfAbsent(name, (key) -> new Family(index));
				}
				if (family.metaFrom == index) {
					family.meta.add(line);
				}
				continue;
			}
			if (family == null) {
				name = "";
				family = families.computeIfAbsent(name, (key) -> new Family(index));
			}
			family.samples.putIfAbsent(seriesKey(line), line);
		}
	}

	/**
	 * The series a sample line is of: its name and labels, without value, timestamp or exemplar.
	 * @param line a sample line
	 * @return the name and labels
	 */
	static String seriesKey(String line) {
		int space = line.indexOf(' ');
		int brace = line.indexOf('{');
		if (brace < 0 || (space >= 0 && space < brace)) {
			return (space < 0) ? line : line.substring(0, space);
		}
		boolean quoted = false;
		for (int i = brace + 1; i < line.length(); i++) {
			char c = line.charAt(i);
			if (quoted && c == '\\') {
				i++;
			}
			else if (c == '"') {
				quoted = !quoted;
			}
			else if (!quoted && c == '}') {
				return line.substring(0, i + 1);
			}
		}
		return line;
	}

	private static void summary(StringBuilder out, ScrapeSummary summary, boolean openMetrics) {
		String name = ScrapeSummary.NAME;
		if (openMetrics) {
			out.append("# TYPE ").append(name).append(" gauge\n");
			out.append("# HELP ").append(name).append(' ').append(ScrapeSummary.HELP).append('\n');
		}
		else {
			out.append("# HELP ").append(name).append(' ').append(ScrapeSummary.HELP).append('\n');
			out.append("# TYPE ").append(name).append(" gauge\n");
		}
		for (String[] sample : summary.samples()) {
			out.append(name).append("{outcome=\"").append(sample[0]).append("\"} ").append(sample[1]).append(".0\n");
		}
	}

	private static final class Family {

		private final int metaFrom;

		private final List<String> meta = new ArrayList<>();

		private final Map<String, String> samples = new LinkedHashMap<>();

		Family(int metaFrom) {
			this.metaFrom = metaFrom;
		}

	}

}
