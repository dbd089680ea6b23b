package dev.bootsupervisor.base;

import java.nio.file.Path;

/**
 * Whether the master keeps a class-data archive of the app, and where: {@code supervisor.cds.*}.
 *
 * @param enabled whether workers start with an archive once one is trained
 * @param directory where the archives and their layouts are kept, {@code null} when disabled
 */
public record CdsSettings(boolean enabled, Path directory) {

	/** No archive. */
	public static final CdsSettings OFF = new CdsSettings(false, null);

}
