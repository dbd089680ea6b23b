package dev.bootsupervisor.control;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Rotation of a daemon's log files at start: an existing file is renamed with a {@code .yyyyMMdd.HHmmss} suffix,
 * never truncated, and only the newest rotated files are kept.
 */
final class LogFiles {

	private static final DateTimeFormatter SUFFIX = DateTimeFormatter.ofPattern("yyyyMMdd.HHmmss");

	private LogFiles() {
	}

	/**
	 * Rotate a log file if it exists, then prune old rotations.
	 * @param file the log file
	 * @param retention how many rotated files to keep
	 * @param now the local time for the suffix
	 * @return the rotated file, or {@code null} when there was nothing to rotate
	 * @throws IOException on a file system failure
	 */
	static Path rotate(Path file, int retention, LocalDateTime now) throws IOException {
		Files.createDirectories(file.toAbsolutePath().getParent());
		Path rotated = null;
		if (Files.exists(file)) {
			String base = file.getFileName() + "." + SUFFIX.format(now);
			rotated = file.resolveSibling(base);
			for (int i = 1; Files.exists(rotated); i++) {
				rotated = file.resolveSibling(base + "." + i);
			}
			Files.move(file, rotated);
		}
		prune(file, retention);
		return rotated;
	}

	/**
	 * Create a log file, readable and writable by its owner only, unless it exists.
	 * @param file the file
	 * @throws IOException when it cannot be created
	 */
	static void createOwnerOnly(Path file) throws IOException {
		if (!Files.exists(file)) {
			Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
		}
	}

	/**
	 * Why a file could not be written, in the words of the operating system.
	 * @param ex the failure
	 * @return the reason, such as {@code Permission denied} or {@code Not a directory}
	 */
	static String reason(IOException ex) {
		if (ex instanceof AccessDeniedException) {
			return "Permission denied";
		}
		if (ex instanceof FileAlreadyExistsException exists) {
			return exists.getFile() + " is a file, not a directory";
		}
		if (ex instanceof FileSystemException failure && failure.getReason() != null) {
			return failure.getReason();
		}
		return String.valueOf(ex.getMessage());
	}

	static List<Path> rotations(Path file) throws IOException {
		Pattern pattern = Pattern.compile(Pattern.quote(file.getFileName().toString()) + "\\.\\d{8}\\.\\d{6}(\\.\\d+)?");
		try (Stream<Path> siblings = Files.list(file.toAbsolutePath().getParent())) {
			return siblings.filter((p) -> pattern.matcher(p.getFileName().toString()).matches())
				.sorted(Comparator.comparing(LogFiles::order).reversed())
				.toList();
		}
	}

	private static String order(Path rotation) {
		String name = rotation.getFileName().toString();
		String[] parts = name.split("\\.");
		String last = parts[parts.length - 1];
		boolean counter = last.length() != 6;
		String stamp = counter ? parts[parts.length - 3] + parts[parts.length - 2] : parts[parts.length - 2] + last;
		return stamp + String.format("%06d", counter ? Integer.parseInt(last) : 0);
	}

	private static void prune(Path file, int retention) throws IOException {
		List<Path> rotations = rotations(file);
		for (int i = retention; i < rotations.size(); i++) {
			Files.deleteIfExists(rotations.get(i));
		}
	}

	/**
	 * The last lines of a file, empty when it does not exist.
	 * @param file the file
	 * @param count how many lines
	 * @return the lines
	 */
	static List<String> tail(Path file, int count) {
		try {
			List<String> lines = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).lines().toList();
			return lines.subList(Math.max(0, lines.size() - count), lines.size());
		}
		catch (IOException ex) {
			return List.of();
		}
	}

}
