package dev.bootsupervisor.sample;

import org.springframework.core.env.Environment;

/**
 * Which process serves a request: its pid, and its worker id and generation ({@code 0} when the application
 * is not run by the supervisor). Rendered as the JSON body of every sample endpoint.
 *
 * @param pid the pid of the serving process
 * @param worker the worker id, from 1, or 0 when not supervised
 * @param generation the worker's generation, from 1, or 0 when not supervised
 */
public record WorkerIdentity(long pid, int worker, int generation) {

	static WorkerIdentity of(Environment environment) {
		return new WorkerIdentity(ProcessHandle.current().pid(),
				environment.getProperty("supervisor.worker.id", Integer.class, 0),
				environment.getProperty("supervisor.worker.generation", Integer.class, 0));
	}

}
