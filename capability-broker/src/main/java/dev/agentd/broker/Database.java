package dev.agentd.broker;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.sqlite.SQLiteConfig;

/**
 * The broker's one JDBC connection and the lock that guards it, and its write transactions: a
 * change, its events delivered to the listener before the commit ({@link Events}), and the
 * in-memory updates that run only after the commit ({@link #onCommit}).
 *
 * <p>One connection, used only under {@link #lock}: SQLite serializes writers anyway. The lock is
 * the innermost of the broker's locks: {@link Invocations} takes it inside counter locks to commit
 * a reservation, and nothing that holds it takes a counter lock (see {@link Invocations}).
 */
final class Database {
    @FunctionalInterface
    interface SqlWork<T> {
        T run() throws SQLException;
    }

    private final Path file;
    private final Connection connection;
    private final Events events;
    private final ReentrantLock lock = new ReentrantLock();
    /** Runs after the write transaction in progress commits. Guarded by lock. */
    private final List<Runnable> afterCommit = new ArrayList<>();
    private boolean inWrite;
    private volatile boolean closed;

    private Database(Path file, Connection connection, Events events) {
        this.file = file;
        this.connection = connection;
        this.events = events;
    }

    /**
     * Opens (creating if needed) the broker's tables in {@code file}.
     *
     * @throws SQLException         if the file cannot be opened or holds a newer broker schema
     * @throws java.io.IOException  if its directory cannot be created
     */
    static Database open(Path file, Events events) throws SQLException, java.io.IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        // NORMAL in WAL mode survives a crash of agentd (only power loss can lose the last
        // transactions), the same choice as agentd's own Store on this file.
        config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
        // agentd writes its own tables on another connection: wait for its lock, don't fail.
        config.setBusyTimeout(5_000);
        // IMMEDIATE takes the write lock at BEGIN, so a read-then-write transaction cannot
        // deadlock with another connection upgrading at the same time.
        config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
        config.enforceForeignKeys(true);
        Connection c = config.createConnection("jdbc:sqlite:" + file);
        try {
            Schema.create(c, file);
        } catch (SQLException | RuntimeException e) {
            closeQuietly(c);
            throw e;
        }
        return new Database(file, c, events);
    }

    Path file() {
        return file;
    }

    Connection connection() {
        return connection;
    }

    ReentrantLock lock() {
        return lock;
    }

    /**
     * Runs {@code work} in one write transaction under the lock, delivers the events it emitted to
     * the listener, then commits. Any exception (the work's, the listener's, the commit's) rolls
     * everything back, so a caller never sees half a change or an unaudited one.
     */
    <T> T write(String what, SqlWork<T> work) {
        lock.lock();
        try {
            ensureOpen();
            if (inWrite) {
                // Only a listener can get here (the lock is reentrant): a change made while
                // auditing another would be delivered out of order.
                throw new IllegalStateException("cannot " + what + " from inside a broker listener");
            }
            inWrite = true;
            events.begin();
            afterCommit.clear();
            boolean committed = false;
            try {
                connection.setAutoCommit(false);
                T result = work.run();
                events.deliverQueued(what);
                connection.commit();
                committed = true;
                afterCommit.forEach(Runnable::run);
                return result;
            } catch (SQLException e) {
                throw new BrokerException(what + " failed in " + file + ": " + e.getMessage(), e);
            } finally {
                endTransaction(committed);
                inWrite = false;
                events.end();
                afterCommit.clear();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Runs {@code work} under the lock without a transaction of its own (a single consistent read suffices). */
    <T> T read(SqlWork<T> work) {
        lock.lock();
        try {
            ensureOpen();
            return sql("read", work);
        } finally {
            lock.unlock();
        }
    }

    /** Runs {@code work}, turning its {@link SQLException} into a {@link BrokerException} naming {@code what}. */
    <T> T sql(String what, SqlWork<T> work) {
        try {
            return work.run();
        } catch (SQLException e) {
            throw new BrokerException(what + " failed in " + file + ": " + e.getMessage(), e);
        }
    }

    /** Runs {@code r} after the current write transaction commits (not if it rolls back). */
    void onCommit(Runnable r) {
        if (!inWrite) {
            throw new IllegalStateException("onCommit outside a write transaction");
        }
        afterCommit.add(r);
    }

    /** True if this thread is inside a write transaction (so inside a listener, if it calls the broker). */
    boolean inWriteOnThisThread() {
        return lock.isHeldByCurrentThread() && inWrite;
    }

    /** Ends a transaction begun with {@code setAutoCommit(false)} outside {@link #write}. */
    void endTransaction(boolean committed) {
        if (!committed) {
            try {
                connection.rollback();
            } catch (SQLException ignored) {
                // The original exception says what went wrong; nothing is committed either way.
            }
        }
        try {
            connection.setAutoCommit(true);
        } catch (SQLException ignored) {
            // Same connection; the next write sets it again.
        }
    }

    void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("broker on " + file + " is closed");
        }
    }

    /**
     * Marks the database closed, under the lock, and runs {@code alsoUnderLock} (waking waiters).
     * From then on {@link #write}, {@link #read} and {@link #ensureOpen} refuse.
     *
     * @return false if it was closed already
     */
    boolean markClosed(Runnable alsoUnderLock) {
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            closed = true;
            alsoUnderLock.run();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Closes the connection; call under the lock, after {@link #markClosed}. */
    void closeConnection() {
        closeQuietly(connection);
    }

    static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // Closing: nothing left to protect.
            }
        }
    }
}
