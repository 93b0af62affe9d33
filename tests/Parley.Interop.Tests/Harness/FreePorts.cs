using System.Net;
using System.Net.Sockets;

namespace Parley.Interop.Tests.Harness;

/// <summary>
/// Free ports on 127.0.0.1. SIP listens on UDP and TCP with the same number, so <see cref="UdpAndTcp"/>
/// checks both. Ports handed out by this process are not handed out again, so tests running in
/// parallel never pick the same one between "found free" and "bound".
/// </summary>
public static class FreePorts
{
    private static readonly HashSet<int> Given = [];

    /// <summary>A port that is free for both UDP and TCP on 127.0.0.1.</summary>
    public static int UdpAndTcp()
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            using var tcp = new TcpListener(IPAddress.Loopback, 0);
            tcp.Start();
            var port = ((IPEndPoint)tcp.LocalEndpoint).Port;
            try
            {
                using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, port));
            }
            catch (SocketException)
            {
                continue;
            }
            finally
            {
                tcp.Stop();
            }

            if (Claim(port))
            {
                return port;
            }
        }

        throw new InvalidOperationException("no port free for both UDP and TCP on 127.0.0.1 after 200 attempts");
    }

    /// <summary>A port that is free for TCP on 127.0.0.1.</summary>
    public static int Tcp()
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var port = ParleyProcess.FreeTcpPort();
            if (Claim(port))
            {
                return port;
            }
        }

        throw new InvalidOperationException("no free TCP port on 127.0.0.1 after 200 attempts");
    }

    private static bool Claim(int port)
    {
        lock (Given)
        {
            return Given.Add(port);
        }
    }
}
