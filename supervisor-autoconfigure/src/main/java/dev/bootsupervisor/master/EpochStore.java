package dev.bootsupervisor.master;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Keeps the latest leadership epoch in the run directory, so that epochs keep growing when the master restarts
 * and an external system fencing on them never sees one go back.
 */
interface EpochStore {

	/** A store that forgets, for tests. */
	EpochStore MEMORY = new EpochStore() {

		@Override
		public long load() {
			return 0;
		}

		@Override
		public void save(long epoch) {
		}

	};

	long load();

	void save(long epoch);

	/**
	 * A store in a file of the run directory.
	 * @param file the file
	 * @return the store
	 */
	static EpochStore file(Path file) {
		return new FileEpochStore(file);
	}

	/**
	 * The epoch as one line of text, written to a temporary file then moved over the old one.
	 */
	final class FileEpochStore implements EpochStore {

		private static final System.Logger log = System.getLogger(Master.class.getName());

		private final Path file;

		private boolean warned;

		FileEpochStore(Path file) {
			this.file = file;
		}

		@Override
		public long load() {
			try {
				return Files.exists(this.file) ? Math.max(0, Long.parseLong(Files.readString(this.file).trim())) : 0;
			}
			catch (IOException | NumberFormatException ex) {
				log.log(System.Logger.Level.WARNING, "Leadership: cannot read the last epoch from {0} ({1}); "
						+ "epochs start over from 1", this.file, ex.getMessage());
				return 0;
			}
		}

		@Override
		public void save(long epoch) {
			if (!Files.isDirectory(this.file.getParent())) {
				return;
			}
			Path next = this.file.resolveSibling(this.file.getFileName() + ".next");
			try {
				Files.writeString(next, epoch + "\n", StandardCharsets.UTF_8);
				Files.setPosixFilePermissions(next, PosixFilePermissions.fromString("rw-------"));
				try {
					Files.move(next, this.file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
				}
				catch (AtomicMoveNotSupportedException ex) {
					Files.move(next, this.file, StandardCopyOption.REPLACE_EXISTING);
				}
			}
			catch (IOException ex) {
				if (!this.warned) {
					this.warned = true;
					log.log(System.Logger.Level.WARNING, "Leadership: cannot keep the epoch in {0} ({1}); after a "
							+ "restart of the master, epochs may repeat", this.file, ex.getMessage());
				}
			}
		}

	}

}
