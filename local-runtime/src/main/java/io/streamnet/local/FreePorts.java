package io.streamnet.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/** Free TCP ports on 127.0.0.1, where every listener of the local runtime binds. */
public final class FreePorts {
    static final String LOOPBACK = "127.0.0.1";

    private FreePorts() {
    }

    /** One port that was free a moment ago. */
    public static int one() {
        return several(1)[0];
    }

    /** {@code n} different ports: each is held open until all are found, so none is counted twice. */
    public static int[] several(int n) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK));
                sockets.add(s);
                ports[i] = s.getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on " + LOOPBACK, e);
        } finally {
            for (ServerSocket s : sockets) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // a socket that would not close keeps its port: the others are still free
                }
            }
        }
    }
}
