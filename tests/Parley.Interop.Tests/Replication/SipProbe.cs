using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Parley.Interop.Tests.Replication;

/// <summary>A SIP REGISTER over TCP to a node on any 127/8 address: a digest challenge (401) proves SIP service for the domain.</summary>
public static class SipProbe
{
    public static async Task<int> RegisterStatusAsync(string address, int port, string user, string domain, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        using var client = new TcpClient(AddressFamily.InterNetwork);
        await client.ConnectAsync(address, port, cts.Token);
        var local = (System.Net.IPEndPoint)client.Client.LocalEndPoint!;
        var id = Guid.NewGuid().ToString("N");
        var request =
            $"REGISTER sip:{domain} SIP/2.0\r\n" +
            $"Via: SIP/2.0/TCP {local.Address}:{local.Port.ToString(CultureInfo.InvariantCulture)};branch=z9hG4bK{id};rport\r\n" +
            "Max-Forwards: 70\r\n" +
            $"From: <sip:{user}@{domain}>;tag={id[..8]}\r\n" +
            $"To: <sip:{user}@{domain}>\r\n" +
            $"Call-ID: {id}@{address}\r\n" +
            "CSeq: 1 REGISTER\r\n" +
            $"Contact: <sip:{user}@{local.Address}:{local.Port.ToString(CultureInfo.InvariantCulture)};transport=tcp>\r\n" +
            "Expires: 60\r\n" +
            "Content-Length: 0\r\n\r\n";
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request), cts.Token);
        var head = await Hostile.SipRawClient.ReadResponseHeadAsync(stream, cts.Token);
        return Hostile.SipRawClient.StatusOf(head);
    }
}
