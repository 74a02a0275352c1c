package dev.millrace.jobs.serving;

import dev.millrace.core.cli.CommonOptions;
import dev.millrace.core.config.MillraceConfig;
import dev.millrace.core.lake.Lake;
import dev.millrace.core.logging.RunLogFile;
import dev.millrace.core.run.ExitCodes;
import dev.millrace.featurestore.online.OnlineStore;
import dev.millrace.featurestore.online.OnlineStores;
import dev.millrace.featurestore.online.StoreSettings;
import dev.millrace.featurestore.serving.ServingServer;
import dev.millrace.featurestore.serving.ServingSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code bin/millrace serve}: the recommendation and feature HTTP API over the online store, until stopped. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serve GET /v1/recommendations/{user}?k=N, GET /v1/features/{entity}/{id}, /health, /ready and "
                + "/metrics from the online store (millrace.serving.*). Runs until interrupted (Ctrl-C, SIGTERM)."},
        footer = {"", "Examples:", "  bin/millrace serve --port 8080 --metrics-port 9464",
                "  curl -s 'http://127.0.0.1:8080/v1/recommendations/42?k=5'",
                "  curl -s 'http://127.0.0.1:8080/v1/features/user/42'",
                "  curl -s 'http://127.0.0.1:9464/metrics'"})
public final class ServeCommand implements Callable<Integer> {

    @Mixin
    CommonOptions common;

    @Option(names = "--port", paramLabel = "P", description = "Port to listen on (default millrace.serving.http.port; 0 = any free port).")
    Integer port;

    @Option(names = "--metrics-port", paramLabel = "P", description = "Port of the metrics listener (default "
            + "millrace.serving.metrics.port; 0 = any free port; with millrace.serving.metrics.expose = token there is none).")
    Integer metricsPort;

    @Option(names = "--host", paramLabel = "ADDR", description = "Address to bind (default millrace.serving.http.host).")
    String host;

    @Override
    public Integer call() throws InterruptedException {
        MillraceConfig config = common.load();
        RunLogFile.redirect(Lake.from(config).root(), "serve")
                .ifPresent(f -> System.err.println("log: " + f));
        if (host != null) {
            config = config.with(java.util.Map.of("millrace.serving.http.host", host));
        }
        ServingSettings settings = ServingSettings.from(config);
        if (port != null) {
            settings = settings.withPort(port);
        }
        if (metricsPort != null) {
            settings = settings.withMetricsPort(metricsPort);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        OnlineStore store = OnlineStores.open(StoreSettings.from(config));
        ServingServer server;
        try {
            server = ServingServer.start(store, settings);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        Thread hook = new Thread(() -> {
            server.close();
            store.close();
            stopped.countDown();
        }, "serve-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        System.out.println("serving " + store.describe() + " on http://" + settings.host() + ":" + server.port());
        System.out.println(server.metricsPort() >= 0
                ? "metrics on http://" + settings.metrics().host() + ":" + server.metricsPort() + "/metrics"
                : "metrics on http://" + settings.host() + ":" + server.port() + "/metrics (metrics bearer token)");
        System.out.flush();
        stopped.await();
        return ExitCodes.OK;
    }
}
