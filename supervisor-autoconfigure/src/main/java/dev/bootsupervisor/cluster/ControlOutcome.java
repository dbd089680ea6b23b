package dev.bootsupervisor.cluster;

import org.springframework.boot.actuate.endpoint.OperationResponseBody;

/**
 * The outcome of a write operation on the cluster: a reload or a change in the number of workers.
 *
 * @param action the action
 * @param success whether it succeeded
 * @param message what happened
 */
public record ControlOutcome(String action, boolean success, String message) implements OperationResponseBody {
}
