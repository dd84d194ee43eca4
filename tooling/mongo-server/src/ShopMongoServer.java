import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.AbstractMongoBackend;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Offline Mongo-wire server for development and tests, on machines that cannot download mongod.
 *
 * Usage: java -cp 'lib/*' ShopMongoServer.java [--port N] [--host H] [--h2 FILE]
 * Prints one line "listening mongodb://HOST:PORT" once it accepts connections, then serves until
 * stdin closes or the process is signalled (so it never outlives the Node process that spawned it).
 */
public final class ShopMongoServer {
    /** Reports MongoDB 7.0 (wire version 21): the Node driver 7 refuses servers below wire 9. */
    private static final MongoVersion MONGO_7_0 = new MongoVersion() {
        @Override
        public List<Integer> getVersionArray() {
            return List.of(7, 0, 0);
        }

        @Override
        public int getWireVersion() {
            return 21;
        }
    };

    public static void main(String[] args) throws Exception {
        String host = "127.0.0.1";
        int port = 0;
        String h2File = null;
        boolean watchStdin = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--host" -> host = args[++i];
                case "--h2" -> h2File = args[++i];
                case "--no-stdin" -> watchStdin = false;
                default -> {
                    System.err.println("unknown argument: " + args[i]);
                    System.exit(2);
                }
            }
        }

        AbstractMongoBackend backend;
        if (h2File != null) {
            Path parent = Path.of(h2File).toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            backend = new H2Backend(h2File);
        } else {
            backend = new MemoryBackend();
        }
        backend.version(MONGO_7_0);

        MongoServer server = new MongoServer(backend);
        // The oplog backs change streams (live stock updates across server instances).
        server.enableOplog();
        server.bind(host, port);
        InetSocketAddress address = server.getLocalAddress();

        Thread stop = new Thread(() -> {
            server.shutdownNow();
            if (backend instanceof H2Backend h2) h2.close();
        });
        Runtime.getRuntime().addShutdownHook(stop);

        System.out.println("listening mongodb://" + host + ":" + address.getPort() + "/");
        System.out.flush();

        if (watchStdin) {
            // The parent keeps our stdin open; when it exits (even by SIGKILL) stdin closes.
            while (System.in.read() != -1) {
                // discard
            }
            System.exit(0);
        } else {
            Thread.currentThread().join();
        }
    }
}
