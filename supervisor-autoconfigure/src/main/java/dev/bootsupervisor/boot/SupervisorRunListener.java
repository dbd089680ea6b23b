package dev.bootsupervisor.boot;

import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.bootsupervisor.autoconfigure.SupervisorProperties;
import dev.bootsupervisor.base.ContainerLimits;
import dev.bootsupervisor.base.ContainerSizing;
import dev.bootsupervisor.base.ExitCodes;
import dev.bootsupervisor.base.LaunchException;
import dev.bootsupervisor.base.SignalRouter;
import dev.bootsupervisor.base.SupervisorSettings;
import dev.bootsupervisor.base.SystemExit;
import dev.bootsupervisor.base.WorkerCommand;
import dev.bootsupervisor.control.ControlCommands;
import dev.bootsupervisor.control.DaemonStarter;
import dev.bootsupervisor.control.OutputFormat;
import dev.bootsupervisor.master.LeanMaster;
import dev.bootsupervisor.master.MasterLauncher;
import dev.bootsupervisor.master.MasterSpec;
import dev.bootsupervisor.worker.WorkerRuntime;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.bootstrap.ConfigurableBootstrapContext;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringApplicationRunListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.util.StringUtils;

/**
 * The hook that decides, once the environment is prepared and before any application context exists, whether
 * this JVM becomes the master (which then never returns), a worker, or an ordinary run.
 */
public class SupervisorRunListener implements SpringApplicationRunListener, Ordered {

	/** System property that keeps the master in the application's JVM instead of a lean JVM of its own. */
	static final String IN_PROCESS = "supervisor.master.in-process";

	/** Name of the bean that holds this worker's {@link WorkerRuntime}. */
	static final String WORKER_RUNTIME_BEAN = "supervisorWorkerRuntime";

	private static final Log logger = LogFactory.getLog(SupervisorRunListener.class);

	private final SpringApplication application;

	private final String[] args;

	/** This worker's channel to its master, once started; null in any other JVM. */
	private volatile WorkerRuntime worker;

	public SupervisorRunListener(SpringApplication application, String[] args) {
		this.application = application;
		this.args = args.clone();
		// before Boot builds its environment: a command whose inputs are certain answers and exits here
		FastCommand.runIfCertain(application, this.args);
	}

	/** Whether this JVM, a training run, already watches its master (a context may be refreshed twice). */
	private static final AtomicBoolean TRAINING_WATCHED = new AtomicBoolean();

	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

	@Override
	public void environmentPrepared(ConfigurableBootstrapContext bootstrapContext,
			ConfigurableEnvironment environment) {
		LaunchMode.Decision decision = LaunchMode.resolve(environment, this.application,
				LaunchMode.Host.current(this.application));
		if (LaunchMode.isTrainingRun() && TRAINING_WATCHED.compareAndSet(false, true)) {
			TrainingRunWatch.start();
		}
		if (decision.notice() != null) {
			switch (decision.notice()) {
				case INFO -> logger.info(decision.message());
				case WARN -> logger.warn(decision.message());
				case ERROR -> {
					System.err.println("Boot Supervisor: " + decision.message());
					SystemExit.exit(ExitCodes.FAILURE);
					return;
				}
			}
		}
		switch (decision.mode()) {
			case WORKER -> startWorker(environment);
			case MASTER -> SystemExit.exit(runMaster(environment));
			case COMMAND -> SystemExit.exit(runCommand(environment));
			case OFF -> {
			}
		}
	}

	@Override
	public void contextPrepared(ConfigurableApplicationContext context) {
		WorkerRuntime runtime = this.worker;
		if (runtime != null) {
			// The one way the worker's beans get the runtime: injected, never looked up
			context.getBeanFactory().registerSingleton(WORKER_RUNTIME_BEAN, runtime);
		}
	}

	@Override
	public void failed(ConfigurableApplicationContext context, Throwable exception) {
		WorkerRuntime runtime = this.worker;
		if (runtime != null) {
			runtime.reportFailure(exception);
		}
	}

	private int runCommand(ConfigurableEnvironment environment) {
		try {
			warnUnknownProperties(environment);
			SupervisorProperties properties = MasterSettingsResolver.bind(environment);
			SupervisorSettings settings = MasterSettingsResolver.resolve(environment, properties,
					this.application.getMainApplicationClass());
			OutputFormat format = OutputFormat.of(properties.getFormat());
			return new ControlCommands(settings, format, System.out, System.err)
				.withLogs(MasterSettingsResolver.daemon(properties, settings.name()),
						MasterSettingsResolver.lines(properties), StringUtils.hasText(properties.getLogDir())
								|| StringUtils.hasText(properties.getStdout())
								|| StringUtils.hasText(properties.getStderr()))
				.withWorkersGiven(ControlCommands.workersGiven(this.args))
				.run((properties.getCommand() != null) ? properties.getCommand().trim() : "");
		}
		catch (LaunchException ex) {
			System.err.println("Boot Supervisor: " + ex.getMessage());
			return ex.exitCode();
		}
	}

	private void startWorker(ConfigurableEnvironment environment) {
		try {
			this.worker = WorkerRuntime.start(environment);
		}
		catch (LaunchException ex) {
			System.err.println("Boot Supervisor: " + ex.getMessage());
			SystemExit.exit(ex.exitCode());
		}
	}

	private int runMaster(ConfigurableEnvironment environment) {
		try {
			warnUnknownProperties(environment);
			SupervisorProperties properties = MasterSettingsResolver.bind(environment);
			SupervisorSettings settings = MasterSettingsResolver.resolve(environment, properties,
					this.application.getMainApplicationClass());
			ShutdownTimeouts.warning(environment)
				.ifPresent((warning) -> System.err.println("Boot Supervisor: " + warning));
			WorkerCommand command = WorkerCommand.ofCurrentJvm(this.args, settings.name());
			boolean daemonized = Boolean.getBoolean(WorkerCommand.DAEMONIZED);
			if (properties.isDaemon() && !daemonized) {
				DaemonStarter.DaemonSettings daemon = MasterSettingsResolver.daemon(properties, settings.name());
				return new DaemonStarter(settings, daemon, command, System.out).start();
			}
			if (daemonized) {
				DaemonStarter.detach();
			}
			// here, not earlier: reading the disposition loads JNA, which may run ldconfig, and a start refused
			// before this point starts no process at all
			if (SignalRouter.unignoreHangup()) {
				logger.info("SIGHUP was ignored by whatever started this JVM (nohup?): the master handles it anyway, "
						+ "as a rolling reload");
			}
			command = sizeForContainer(properties, settings, command);
			Instant launchedAt = Instant.ofEpochMilli(ManagementFactory.getRuntimeMXBean().getStartTime());
			if (!Boolean.getBoolean(IN_PROCESS)) {
				// Returns only when the lean master JVM cannot be exec'd: then this JVM is the master
				LeanMaster.exec(new MasterSpec(settings, command, launchedAt),
						ManagementFactory.getRuntimeMXBean().getInputArguments());
			}
			return new MasterLauncher(settings, command, launchedAt).run();
		}
		catch (LaunchException ex) {
			System.err.println("Boot Supervisor: " + ex.getMessage());
			return ex.exitCode();
		}
	}

	/** One line each on stderr, and the start goes on: the master's and a command's, not every worker's. */
	private static void warnUnknownProperties(ConfigurableEnvironment environment) {
		SupervisorPropertyNames.unknown(environment)
			.forEach((warning) -> System.err.println("Boot Supervisor: " + warning));
	}

	/**
	 * Give the workers their share of the container's CPU quota and memory limit. Decided here, where the user's
	 * JVM options are known, after a daemon start (whose master decides for itself), and carried to the master in
	 * the worker command.
	 */
	private static WorkerCommand sizeForContainer(SupervisorProperties properties, SupervisorSettings settings,
			WorkerCommand command) {
		ContainerLimits limits = ContainerLimits.current();
		boolean auto = properties.getWorkers() != null && properties.getWorkers().trim().equalsIgnoreCase("auto");
		ContainerSizing sizing = ContainerSizing.decide(limits, settings.workers(), auto, command.jvmOptions(),
				System.getenv());
		if (ContainerSizing.worthLogging(limits, auto)) {
			logger.info(sizing.summary());
		}
		if (sizing.warning() != null) {
			logger.warn(sizing.warning());
		}
		return sizing.apply(command);
	}

}
