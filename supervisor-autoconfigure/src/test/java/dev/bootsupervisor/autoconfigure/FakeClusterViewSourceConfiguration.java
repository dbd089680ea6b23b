package dev.bootsupervisor.autoconfigure;

import java.util.Map;

import dev.bootsupervisor.actuate.ClusterViews;
import dev.bootsupervisor.cluster.ClusterViewSource;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * A cluster of two ready workers, standing in for the master.
 */
@Configuration(proxyBeanMethods = false)
class FakeClusterViewSourceConfiguration {

	@Bean
	ClusterViewSource fakeClusterViewSource() {
		return () -> ClusterViews.of(Map.of("crash", 1), ClusterViews.ready(1, 11), ClusterViews.ready(2, 22));
	}

}
