package dev.bootsupervisor.master;

import java.io.IOException;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Loads every class of the master's own packages up front. The master runs from the app's jar for its whole
 * life; a jar overwritten in place would otherwise make a class loaded late (on a reload, say) unreadable.
 */
final class ClassPreloader {

	private static final System.Logger log = System.getLogger(ClassPreloader.class.getName());

	private ClassPreloader() {
	}

	static int preload(Class<?> anchor, List<String> packages) {
		URL location = anchor.getProtectionDomain().getCodeSource().getLocation();
		int loaded = 0;
		try {
			URLConnection connection = location.toString().startsWith("jar:") ? location.openConnection()
					: new URL("jar:" + location + "!/").openConnection();
			if (!(connection instanceof JarURLConnection jar)) {
				return 0;
			}
			JarFile file = jar.getJarFile();
			Enumeration<JarEntry> entries = file.entries();
			while (entries.hasMoreElements()) {
				String name = entries.nextElement().getName();
				if (name.endsWith(".class") && packages.stream().anyMatch(name::startsWith)) {
					try {
						Class.forName(name.substring(0, name.length() - 6).replace('/', '.'), false,
								anchor.getClassLoader());
						loaded++;
					}
					catch (Throwable ex) {
						log.log(System.Logger.Level.DEBUG, "Not preloaded: {0} ({1})", name, ex);
					}
				}
			}
		}
		catch (IOException | RuntimeException ex) {
			log.log(System.Logger.Level.DEBUG, "Classes not preloaded from {0}: {1}", location, ex.getMessage());
		}
		return loaded;
	}

}
