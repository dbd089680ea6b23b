package dev.bootsupervisor.master;

import java.io.File;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link LeanMaster}.
 */
class LeanMasterTests {

	@Test
	void aBootJarWhosePathHasSpacesIsOnTheClassPathByItsOwnName() {
		assertThat(LeanMaster.launchTarget("jar:nested:/srv/sp%20dir/my%20app%21.jar/!BOOT-INF/classes/!/", ""))
			.containsExactly("-Dloader.main=" + LeanMaster.class.getName(), "-cp", "/srv/sp dir/my app!.jar",
					"org.springframework.boot.loader.launch.PropertiesLauncher");
	}

	@Test
	void aClassesDirectoryWhosePathHasSpacesIsOnTheClassPathByItsOwnName() {
		assertThat(LeanMaster.launchTarget("file:/srv/sp%20dir/classes%C3%A9/", "/srv/a.jar"))
			.containsExactly("-cp", "/srv/a.jar" + File.pathSeparator + "/srv/sp dir/classesé",
					LeanMaster.class.getName());
	}

	@Test
	void anotherLocationKeepsTheMasterInTheApplicationsJvm() {
		assertThat(LeanMaster.launchTarget("jar:nested:/srv/app.jar", "")).isEmpty();
		assertThat(LeanMaster.launchTarget("http://example.com/app.jar", "")).isEmpty();
	}

}
