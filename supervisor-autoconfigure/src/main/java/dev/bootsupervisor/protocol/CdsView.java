package dev.bootsupervisor.protocol;

/**
 * The master's class-data archive as the cluster view shows it ({@code master.cds} in the endpoint).
 *
 * @param state {@code none}, {@code training}, {@code ready} or {@code refused}
 * @param location the archive's file, empty when there is none
 * @param detail what the state means now: why there is none, what was refused, what is trained
 */
public record CdsView(String state, String location, String detail) {

	/** No archive, for views of masters that keep none. */
	public static final CdsView NONE = new CdsView("none", "", "");

	public CdsView {
		state = (state != null) ? state : "none";
		location = (location != null) ? location : "";
		detail = (detail != null) ? detail : "";
	}

}
