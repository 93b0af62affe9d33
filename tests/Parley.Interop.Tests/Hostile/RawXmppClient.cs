using System.Diagnostics;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;

namespace Parley.Interop.Tests.Hostile;

/// <summary>
/// A deliberately minimal XMPP client over a raw socket: it sends exactly the bytes a test
/// gives it and reads what comes back as text. STARTTLS and SASL PLAIN are there so an attack
/// can come after login. Not a parser: assertions look for substrings and regexes.
/// </summary>
public sealed partial class RawXmppClient : IAsyncDisposable
{
    public const string StreamsNs = "urn:ietf:params:xml:ns:xmpp-streams";

    private readonly TcpClient _tcp = new() { NoDelay = true };
    private readonly StringBuilder _received = new();
    private readonly byte[] _buffer = new byte[64 * 1024];
    private readonly Decoder _decoder = Encoding.UTF8.GetDecoder();
    private Stream _stream = Stream.Null;

    public string Domain { get; private set; } = "example.com";

    public string? FullJid { get; private set; }

    public bool Closed { get; private set; }

    /// <summary>Everything received on this connection so far (after TLS: decrypted).</summary>
    public string Received => _received.ToString();

    public static string StreamHeader(string domain) =>
        $"<?xml version='1.0'?><stream:stream to='{domain}' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>";

    public static async Task<RawXmppClient> ConnectAsync(string host, int port, CancellationToken cancellationToken = default)
    {
        var client = new RawXmppClient();
        await client._tcp.ConnectAsync(host, port, cancellationToken);
        client._stream = client._tcp.GetStream();
        return client;
    }

    /// <summary>Connects, negotiates STARTTLS and authenticates with SASL PLAIN, binds a resource and sends initial presence.</summary>
    public static async Task<RawXmppClient> LoginAsync(
        string host, int port, string caPath, string jid, string password, string resource = "raw", bool sendPresence = true)
    {
        var client = await ConnectAsync(host, port);
        try
        {
            var domain = jid[(jid.IndexOf('@') + 1)..];
            await client.StartTlsAsync(domain, caPath);
            var outcome = await client.AuthenticatePlainAsync(jid, password);
            Assert.True(outcome == null, $"login of {jid} failed: {outcome}\n{client.Received}");
            await client.BindAsync(resource);
            if (sendPresence)
            {
                await client.SendAsync("<presence/>");
            }

            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    public async Task SendAsync(string text) => await SendAsync(Encoding.UTF8.GetBytes(text));

    public async Task SendAsync(ReadOnlyMemory<byte> bytes)
    {
        await _stream.WriteAsync(bytes);
        await _stream.FlushAsync();
    }

    /// <summary>
    /// Sends attack bytes; a server that already closed the connection (broken pipe, reset) is
    /// not an error here — the caller asserts how the server ended the stream.
    /// </summary>
    public async Task SendHostileAsync(string text)
    {
        try
        {
            await SendAsync(text);
        }
        catch (IOException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>Sends the stream header, expects features with STARTTLS, upgrades with the CA at caPath, restarts the stream.</summary>
    public async Task StartTlsAsync(string domain, string caPath)
    {
        Domain = domain;
        await SendAsync(StreamHeader(domain));
        await ReadUntilAsync(t => t.Contains("</stream:features>", StringComparison.Ordinal), "stream features");
        Assert.Contains("urn:ietf:params:xml:ns:xmpp-tls", Received, StringComparison.Ordinal);
        await SendAsync("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
        await ReadUntilAsync(t => t.Contains("<proceed", StringComparison.Ordinal), "<proceed/>");

        var ca = X509Certificate2.CreateFromPem(File.ReadAllText(caPath));
        var ssl = new SslStream(_stream, leaveInnerStreamOpen: false);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = domain,
            RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
                {
                    return false;
                }

                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(ca);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(new X509Certificate2(certificate));
            },
        });
        _stream = ssl;
        ResetReceived();
        await SendAsync(StreamHeader(domain));
        await ReadUntilAsync(t => t.Contains("</stream:features>", StringComparison.Ordinal), "stream features after TLS");
    }

    /// <summary>SASL PLAIN. Returns null on success (stream restarted), else the failure element text.</summary>
    public async Task<string?> AuthenticatePlainAsync(string jid, string password)
    {
        var local = jid[..jid.IndexOf('@')];
        var token = Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{local}\0{password}"));
        var mark = _received.Length;
        await SendAsync($"<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>{token}</auth>");
        var text = await ReadUntilAsync(t => SaslOutcome().IsMatch(t, mark), "SASL outcome");
        var outcome = text[mark..];
        if (outcome.Contains("<success", StringComparison.Ordinal))
        {
            ResetReceived();
            await SendAsync(StreamHeader(Domain));
            await ReadUntilAsync(t => t.Contains("</stream:features>", StringComparison.Ordinal), "stream features after SASL");
            return null;
        }

        return outcome;
    }

    public async Task BindAsync(string resource)
    {
        var mark = _received.Length;
        await SendAsync($"<iq type='set' id='bind1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>{resource}</resource></bind></iq>");
        var text = await ReadUntilAsync(t => t.IndexOf("</iq>", mark, StringComparison.Ordinal) >= 0, "bind result");
        var match = JidElement().Match(text, mark);
        Assert.True(match.Success, $"no <jid/> in the bind result:\n{text[mark..]}");
        FullJid = match.Groups[1].Value;
    }

    /// <summary>Reads until predicate(all text received) holds. Fails on timeout or EOF.</summary>
    public async Task<string> ReadUntilAsync(Func<string, bool> predicate, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(10);
        using var cts = new CancellationTokenSource(limit);
        while (!predicate(Received))
        {
            int n;
            try
            {
                n = await _stream.ReadAsync(_buffer, cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"did not receive {what} within {limit.TotalSeconds:0} s; received:\n{Tail(Received)}");
            }

            if (n == 0)
            {
                Closed = true;
                throw new IOException($"connection closed before {what}; received:\n{Tail(Received)}");
            }

            Append(n);
        }

        return Received;
    }

    /// <summary>
    /// Reads until the server closes the connection or the time limit passes. Returns whether it
    /// closed and how long that took. Read errors (reset) count as closed.
    /// </summary>
    public async Task<(bool Closed, TimeSpan Elapsed)> WaitForCloseAsync(TimeSpan limit)
    {
        var watch = Stopwatch.StartNew();
        using var cts = new CancellationTokenSource(limit);
        try
        {
            while (true)
            {
                var n = await _stream.ReadAsync(_buffer, cts.Token);
                if (n == 0)
                {
                    break;
                }

                Append(n);
            }
        }
        catch (OperationCanceledException)
        {
            return (false, watch.Elapsed);
        }
        catch (IOException)
        {
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }

        Closed = true;
        return (true, watch.Elapsed);
    }

    /// <summary>The condition of the first stream error received, or null.</summary>
    public string? StreamErrorCondition()
    {
        var match = StreamErrorElement().Match(Received);
        return match.Success ? match.Groups[1].Value : null;
    }

    /// <summary>Sends a chat message to another raw client and waits until it arrives there.</summary>
    public async Task ExchangeMessageWithAsync(RawXmppClient other, TimeSpan? timeout = null)
    {
        var id = Guid.NewGuid().ToString("N");
        await SendAsync($"<message to='{other.FullJid}' type='chat' id='{id}'><body>still there? {id}</body></message>");
        await other.ReadUntilAsync(t => t.Contains(id, StringComparison.Ordinal), $"message {id} from {FullJid}", timeout ?? TimeSpan.FromSeconds(10));
    }

    /// <summary>Forgets what was received so far (after a stream restart).</summary>
    public void ResetReceived() => _received.Clear();

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _stream.DisposeAsync();
        }
        catch (IOException)
        {
        }

        _tcp.Dispose();
    }

    private void Append(int n)
    {
        var chars = new char[Encoding.UTF8.GetMaxCharCount(n)];
        var count = _decoder.GetChars(_buffer, 0, n, chars, 0);
        _received.Append(chars, 0, count);
    }

    private static string Tail(string text) => text.Length <= 2000 ? text : "…" + text[^2000..];

    [GeneratedRegex(@"<success\b[^>]*/>|<success\b.*?</success>|<failure\b[^>]*/>|<failure\b.*?</failure>", RegexOptions.Singleline)]
    private static partial Regex SaslOutcome();

    [GeneratedRegex(@"<jid>([^<]+)</jid>")]
    private static partial Regex JidElement();

    [GeneratedRegex(@"<(?:stream:)?error[\s>].*?<([a-z-]+)\b[^>]*xmlns=['""]urn:ietf:params:xml:ns:xmpp-streams['""]", RegexOptions.Singleline)]
    private static partial Regex StreamErrorElement();
}
