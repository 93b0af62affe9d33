using System.Buffers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Parley.LoadTool;

/// <summary>
/// One lightweight XMPP client session: STARTTLS, SASL PLAIN, bind, roster, presence; then a
/// receive loop that frames stanzas (StanzaFramer) and counts what arrives without parsing it.
/// </summary>
public sealed class XmppLoadClient : IAsyncDisposable
{
    private static readonly byte[] PingNs = "urn:xmpp:ping"u8.ToArray();
    private static readonly byte[] RosterNs = "jabber:iq:roster"u8.ToArray();
    private static readonly byte[] BodyTag = "<body"u8.ToArray();

    private readonly LoadOptions _options;
    private readonly LoadStats _stats;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Dictionary<string, TaskCompletionSource<string>> _pendingIq = [];
    private readonly byte[] _bareJid;
    private TaskCompletionSource<string> _features = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TcpClient? _tcp;
    private Stream? _stream;
    private Task? _receiveLoop;
    private int _nextId;

    public XmppLoadClient(int index, LoadOptions options, LoadStats stats, string resource = "load")
    {
        Index = index;
        Resource = resource;
        _options = options;
        _stats = stats;
        Jid = options.Jid(index);
        _bareJid = Encoding.UTF8.GetBytes(Jid);
    }

    public int Index { get; }

    public string Resource { get; }

    public string Jid { get; }

    public string? FullJid { get; private set; }

    public int BothSubscriptions { get; private set; }

    public long MessagesReceived;

    public long PresenceReceived;

    public string? Failure { get; private set; }

    public bool Connected => Failure is null && _stream is not null;

    // ---- login ------------------------------------------------------------------------

    /// <summary>Creates the account by in-band registration (XEP-0077); an existing account is fine.</summary>
    public async Task RegisterAsync(X509Certificate2? ca, CancellationToken cancellationToken)
    {
        using var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(_options.Host, _options.Port, cancellationToken);
        Stream stream = tcp.GetStream();
        stream = await StartTlsAsync(stream, ca, cancellationToken);
        var user = Escape(_options.LocalPart(Index));
        await stream.WriteAsync(Encoding.UTF8.GetBytes(
            $"<iq type='set' id='reg1'><query xmlns='jabber:iq:register'><username>{user}</username><password>{Escape(_options.Password)}</password></query></iq>"),
            cancellationToken);
        var reply = await ReadTextUntilAsync(
            stream,
            t => t.Contains("reg1", StringComparison.Ordinal) && (t.Contains("</iq>", StringComparison.Ordinal) || t.TrimEnd().EndsWith("/>", StringComparison.Ordinal)),
            cancellationToken);
        if (reply.Contains("type='error'", StringComparison.Ordinal) || reply.Contains("type=\"error\"", StringComparison.Ordinal))
        {
            if (!reply.Contains("conflict", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"registration of {Jid} failed: {reply}");
            }
        }

        await stream.WriteAsync("</stream:stream>"u8.ToArray(), cancellationToken);
        await stream.DisposeAsync();
    }

    public async Task LoginAsync(X509Certificate2? ca, CancellationToken cancellationToken)
    {
        _tcp = new TcpClient { NoDelay = true };
        await _tcp.ConnectAsync(_options.Host, _options.Port, cancellationToken);
        var stream = await StartTlsAsync(_tcp.GetStream(), ca, cancellationToken);

        var token = Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{_options.LocalPart(Index)}\0{_options.Password}"));
        await stream.WriteAsync(Encoding.UTF8.GetBytes($"<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>{token}</auth>"), cancellationToken);
        var outcome = await ReadTextUntilAsync(stream, t => t.Contains("success", StringComparison.Ordinal) && t.EndsWith('>') || t.Contains("</failure>", StringComparison.Ordinal) || t.Contains("failure", StringComparison.Ordinal) && t.EndsWith("/>", StringComparison.Ordinal), cancellationToken);
        if (!outcome.Contains("<success", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"SASL PLAIN failed for {Jid}: {outcome}");
        }

        // From here on everything goes through the framing receive loop.
        _stream = stream;
        _features = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        _receiveLoop = Task.Run(() => ReceiveLoopAsync(stream));
        await SendAsync(StreamHeader());
        var features = await _features.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);

        var bind = await IqAsync("set", $"<bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>{Resource}</resource></bind>", cancellationToken);
        var start = bind.IndexOf("<jid>", StringComparison.Ordinal);
        FullJid = start < 0 ? null : bind[(start + 5)..bind.IndexOf("</jid>", start, StringComparison.Ordinal)];
        if (FullJid is null)
        {
            throw new InvalidOperationException($"bind failed for {Jid}: {bind}");
        }

        if (features.Contains("urn:ietf:params:xml:ns:xmpp-session", StringComparison.Ordinal) && !features.Contains("<optional", StringComparison.Ordinal))
        {
            await IqAsync("set", "<session xmlns='urn:ietf:params:xml:ns:xmpp-session'/>", cancellationToken);
        }

        await RefreshRosterAsync(cancellationToken);
        await SendAsync("<presence/>");
    }

    /// <summary>Roster get; counts the items with subscription 'both'.</summary>
    public async Task RefreshRosterAsync(CancellationToken cancellationToken)
    {
        var roster = await IqAsync("get", "<query xmlns='jabber:iq:roster'/>", cancellationToken);
        BothSubscriptions = Count(roster, "subscription='both'") + Count(roster, "subscription=\"both\"");
    }

    private async Task<Stream> StartTlsAsync(Stream plain, X509Certificate2? ca, CancellationToken cancellationToken)
    {
        await plain.WriteAsync(Encoding.UTF8.GetBytes(StreamHeader()), cancellationToken);
        var features = await ReadTextUntilAsync(plain, t => t.Contains("</stream:features>", StringComparison.Ordinal), cancellationToken);
        if (!features.Contains("urn:ietf:params:xml:ns:xmpp-tls", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"server does not offer STARTTLS: {features}");
        }

        await plain.WriteAsync("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"u8.ToArray(), cancellationToken);
        var proceed = await ReadTextUntilAsync(plain, t => t.Contains("proceed", StringComparison.Ordinal) && t.EndsWith('>') || t.Contains("failure", StringComparison.Ordinal), cancellationToken);
        if (!proceed.Contains("<proceed", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"STARTTLS refused: {proceed}");
        }

        var ssl = new SslStream(plain, leaveInnerStreamOpen: false);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = _options.Domain,
            RemoteCertificateValidationCallback = (_, certificate, _, errors) => _options.Insecure || Validate(certificate, errors, ca),
        }, cancellationToken);
        await ssl.WriteAsync(Encoding.UTF8.GetBytes(StreamHeader()), cancellationToken);
        await ReadTextUntilAsync(ssl, t => t.Contains("</stream:features>", StringComparison.Ordinal), cancellationToken);
        return ssl;
    }

    private static bool Validate(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2? ca)
    {
        if (certificate is null || ca is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    }

    /// <summary>Handshake reads before the receive loop runs: the server sends nothing unasked then.</summary>
    private static async Task<string> ReadTextUntilAsync(Stream stream, Func<string, bool> done, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            var text = new StringBuilder();
            while (true)
            {
                var n = await stream.ReadAsync(buffer.AsMemory(0, 4096), cancellationToken);
                if (n == 0)
                {
                    throw new IOException($"connection closed during the handshake; received: {text}");
                }

                text.Append(Encoding.UTF8.GetString(buffer, 0, n));
                var s = text.ToString();
                if (s.Contains("<stream:error", StringComparison.Ordinal) && s.Contains("</stream:error>", StringComparison.Ordinal))
                {
                    throw new IOException($"stream error during the handshake: {s}");
                }

                if (done(s))
                {
                    return s;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // ---- sending -------------------------------------------------------------------

    public Task SendAsync(string xml) => SendAsync(Encoding.UTF8.GetBytes(xml));

    public async Task SendAsync(ReadOnlyMemory<byte> bytes)
    {
        var stream = _stream ?? throw new InvalidOperationException("not connected");
        await _writeLock.WaitAsync();
        try
        {
            await stream.WriteAsync(bytes);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async Task<string> IqAsync(string type, string payload, CancellationToken cancellationToken)
    {
        var id = "q" + Interlocked.Increment(ref _nextId).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var tcs = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_pendingIq)
        {
            _pendingIq[id] = tcs;
        }

        await SendAsync($"<iq type='{type}' id='{id}'>{payload}</iq>");
        var reply = await tcs.Task.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
        if (reply.Contains("type='error'", StringComparison.Ordinal) || reply.Contains("type=\"error\"", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"iq {type} {payload} failed for {Jid}: {reply}");
        }

        return reply;
    }

    private string StreamHeader() =>
        $"<?xml version='1.0'?><stream:stream to='{_options.Domain}' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>";

    // ---- receiving -----------------------------------------------------------------

    private async Task ReceiveLoopAsync(Stream stream)
    {
        var buffer = new byte[4096];
        var filled = 0;
        var scanned = 0;
        var framer = default(StanzaFramer); // depth 0: the restarted stream's header comes first
        try
        {
            while (true)
            {
                if (filled == buffer.Length)
                {
                    Array.Resize(ref buffer, buffer.Length * 2);
                }

                var n = await stream.ReadAsync(buffer.AsMemory(filled));
                if (n == 0)
                {
                    Failure ??= "server closed the connection";
                    break;
                }

                filled += n;
                int end;
                while ((end = framer.Next(buffer.AsSpan(0, filled), scanned, out var start)) >= 0)
                {
                    OnStanza(buffer.AsSpan(start, end - start));
                    scanned = end;
                }

                scanned = filled;
                var keepFrom = framer.KeepFrom(filled);
                if (keepFrom > 0)
                {
                    Buffer.BlockCopy(buffer, keepFrom, buffer, 0, filled - keepFrom);
                    filled -= keepFrom;
                    scanned -= keepFrom;
                    framer.Shift(keepFrom);
                }

                if (buffer.Length > 64 * 1024 && filled < 4096)
                {
                    Array.Resize(ref buffer, 4096); // shrink back after a large stanza
                }

                if (framer.StreamClosed)
                {
                    Failure ??= "server closed the stream";
                    break;
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
        {
            Failure ??= e.Message;
        }
        finally
        {
            _features.TrySetException(new IOException(Failure ?? "closed"));
            lock (_pendingIq)
            {
                foreach (var pending in _pendingIq.Values)
                {
                    pending.TrySetException(new IOException(Failure ?? "closed"));
                }

                _pendingIq.Clear();
            }
        }
    }

    private void OnStanza(ReadOnlySpan<byte> stanza)
    {
        if (stanza.StartsWith("<message"u8))
        {
            if (stanza.IndexOf(BodyTag) >= 0)
            {
                Interlocked.Increment(ref MessagesReceived);
                Interlocked.Increment(ref _stats.MessagesReceived);
                Volatile.Write(ref _stats.LastMessageTimestamp, System.Diagnostics.Stopwatch.GetTimestamp());
            }

            if (Attribute(stanza, "type"u8).SequenceEqual("error"u8))
            {
                Interlocked.Increment(ref _stats.Errors);
            }
        }
        else if (stanza.StartsWith("<presence"u8))
        {
            OnPresence(stanza);
        }
        else if (stanza.StartsWith("<iq"u8))
        {
            OnIq(stanza);
        }
        else if (stanza.StartsWith("<stream:features"u8))
        {
            _features.TrySetResult(Encoding.UTF8.GetString(stanza));
        }
        else if (stanza.StartsWith("<stream:error"u8))
        {
            Failure ??= "stream error: " + Encoding.UTF8.GetString(stanza);
            Interlocked.Increment(ref _stats.Errors);
        }
    }

    private void OnPresence(ReadOnlySpan<byte> stanza)
    {
        var type = Attribute(stanza, "type"u8);
        var from = Attribute(stanza, "from"u8);
        var slash = from.IndexOf((byte)'/');
        var fromBare = slash < 0 ? from : from[..slash];
        if (type.IsEmpty || type.SequenceEqual("unavailable"u8))
        {
            if (!fromBare.SequenceEqual(_bareJid))
            {
                Interlocked.Increment(ref PresenceReceived);
                Interlocked.Increment(ref _stats.PresenceReceived);
                Volatile.Write(ref _stats.LastPresenceTimestamp, System.Diagnostics.Stopwatch.GetTimestamp());
            }

            return;
        }

        Interlocked.Increment(ref _stats.SubscriptionStanzas);
        _stats.Touch();
        if (type.SequenceEqual("subscribe"u8))
        {
            // Approve every request: servers without auto-approve or pre-approval need it.
            var to = Encoding.UTF8.GetString(fromBare);
            _ = SendQuietlyAsync($"<presence to='{to}' type='subscribed'/>");
        }
        else if (type.SequenceEqual("error"u8))
        {
            Interlocked.Increment(ref _stats.Errors);
        }
    }

    private void OnIq(ReadOnlySpan<byte> stanza)
    {
        var type = Attribute(stanza, "type"u8);
        var id = Encoding.UTF8.GetString(Attribute(stanza, "id"u8));
        if (type.SequenceEqual("result"u8) || type.SequenceEqual("error"u8))
        {
            TaskCompletionSource<string>? pending;
            lock (_pendingIq)
            {
                if (_pendingIq.Remove(id, out pending))
                {
                    pending.TrySetResult(Encoding.UTF8.GetString(stanza));
                }
            }

            return;
        }

        var from = Attribute(stanza, "from"u8);
        var toAttribute = from.IsEmpty ? string.Empty : $" to='{Encoding.UTF8.GetString(from)}'";
        if (type.SequenceEqual("set"u8) && stanza.IndexOf(RosterNs) >= 0)
        {
            Interlocked.Increment(ref _stats.RosterPushes);
            _stats.Touch();
            _ = SendQuietlyAsync($"<iq type='result' id='{id}'{toAttribute}/>");
        }
        else if (type.SequenceEqual("get"u8) && stanza.IndexOf(PingNs) >= 0)
        {
            _ = SendQuietlyAsync($"<iq type='result' id='{id}'{toAttribute}/>");
        }
        else
        {
            _ = SendQuietlyAsync($"<iq type='error' id='{id}'{toAttribute}><error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>");
        }
    }

    private async Task SendQuietlyAsync(string xml)
    {
        try
        {
            await SendAsync(xml);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
            Failure ??= e.Message;
        }
    }

    /// <summary>Value of an attribute of the stanza's start tag (raw, not unescaped), or empty.</summary>
    private static ReadOnlySpan<byte> Attribute(ReadOnlySpan<byte> stanza, ReadOnlySpan<byte> name)
    {
        var tagEnd = stanza.IndexOf((byte)'>');
        var tag = tagEnd < 0 ? stanza : stanza[..tagEnd];
        var offset = 0;
        while (true)
        {
            var i = tag[offset..].IndexOf(name);
            if (i < 0)
            {
                return default;
            }

            i += offset;
            var after = i + name.Length;
            if (i > 0 && tag[i - 1] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r'
                && after + 1 < tag.Length && tag[after] == (byte)'=' && tag[after + 1] is (byte)'\'' or (byte)'"')
            {
                var quote = tag[after + 1];
                var value = tag[(after + 2)..];
                var close = value.IndexOf(quote);
                return close < 0 ? default : value[..close];
            }

            offset = after;
        }
    }

    private static int Count(string text, string what)
    {
        var count = 0;
        for (var i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + what.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private static string Escape(string s) => s.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal)
        .Replace("'", "&apos;", StringComparison.Ordinal).Replace("\"", "&quot;", StringComparison.Ordinal);

    public async Task CloseAsync()
    {
        if (_stream is null)
        {
            return;
        }

        try
        {
            await SendAsync("<presence type='unavailable'/></stream:stream>");
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stream is not null)
        {
            try
            {
                await _stream.DisposeAsync();
            }
            catch (IOException)
            {
            }
        }

        _tcp?.Dispose();
        if (_receiveLoop is not null)
        {
            try
            {
                await _receiveLoop.WaitAsync(TimeSpan.FromSeconds(2));
            }
            catch (Exception e) when (e is TimeoutException or IOException or ObjectDisposedException)
            {
            }
        }
    }
}
