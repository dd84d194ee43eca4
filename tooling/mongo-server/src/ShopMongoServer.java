import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.AbstractMongoBackend;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.bson.Document;
import io.netty.channel.Channel;
import org.h2.mvstore.MVStore;

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

    /**
     * H2 on disk that writes every command's changes to the file, and fsyncs it, before the
     * command is answered. H2Backend alone leaves them to the MVStore's background writer (about
     * once a second), so a killed process lost writes it had already acknowledged.
     */
    static final class CommitBeforeAnswerH2Backend extends H2Backend {
        /** The newest store version known to be in the file and fsynced. */
        private volatile long syncedVersion = -1;
        private final Object syncLock = new Object();

        private CommitBeforeAnswerH2Backend(MVStore store) {
            super(store);
        }

        static CommitBeforeAnswerH2Backend open(String fileName) {
            // A commit per write stores a chunk per write, its changed pages rewritten whole
            // (~50 KB): LZF compression makes that ~15 KB. H2 keeps a replaced chunk for 45 s, for
            // disks that flush late; here every chunk is fsynced by the command that wrote it, so
            // 1 s is enough (also the longest a query may walk an old version: ours finish within
            // their command, in milliseconds on development data). Without both, 200 writes/s
            // grew the file by ~5 MB/s, to 1 GB in 150 s; with them it stays ~10 MB.
            MVStore store = new MVStore.Builder().fileName(fileName).compress().open();
            store.setRetentionTime(1_000);
            return new CommitBeforeAnswerH2Backend(store);
        }

        @Override
        public Document handleCommand(Channel channel, String databaseName, String command, Document query) {
            try {
                return super.handleCommand(channel, databaseName, command, query);
            } finally {
                // Also when the command throws: it may have written part of its work first. A
                // commit that fails (disk full) fails the command, so nothing unwritten is answered.
                commitAndSync();
            }
        }

        void commitAndSync() {
            MVStore store = getMvStore();
            // Writes what is unsaved and waits for it; with nothing to write (a read), returns.
            store.commit();
            long committed = store.getCurrentVersion();
            if (syncedVersion >= committed) return;
            synchronized (syncLock) {
                if (syncedVersion >= committed) return;
                // The background writer's commits are written by H2's own threads without
                // waiting (MVStore.tryCommit), and a commit can find our changes already taken by
                // one; this waits for such writes, under the store lock so none starts meanwhile.
                long[] written = new long[1];
                store.executeFilestoreOperation(() -> written[0] = store.getCurrentVersion());
                store.sync();
                syncedVersion = written[0];
            }
        }
    }

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
            backend = CommitBeforeAnswerH2Backend.open(h2File);
        } else {
            backend = new MemoryBackend();
        }
        backend.version(MONGO_7_0);

        MongoServer server = new MongoServer(backend);
        // The oplog backs change streams (live stock updates across server instances).
        server.enableOplog();
        if (backend instanceof CommitBeforeAnswerH2Backend h2) h2.commitAndSync();
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
