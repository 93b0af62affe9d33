using System.Buffers;
using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading.Channels;
using Parley.Xmpp;
using Parley.Xmpp.Addressing;
using Parley.Xmpp.Streams;
using Parley.Xmpp.Xml;
using Xunit.Sdk;

namespace Parley.Server.Tests.Xmpp.Support;

/// <summary>
/// A minimal XMPP client for protocol tests: raw control over every step (STARTTLS, SASL, bind, XEP-0198), built on
/// Parley.Xmpp's own parser. A background pump parses everything the server sends into a mailbox; tests take the
/// next element, or the first one matching a predicate (others stay queued), always with a timeout.
/// </summary>
public sealed class XmppTestClient : IAsyncDisposable
{
    public const string ClientNamespace = "test:client";

    /// <summary>How long any expected element may take before the test fails.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    /// <summary>How long to listen when asserting that something does NOT arrive.</summary>
    public static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(400);

    private readonly ParleyTestNode _node;
    private readonly TcpClient _tcp;
    private readonly XmppStreamParser _parser = new(new XmppLimits());
    private readonly Channel<Element> _incoming = Channel.CreateUnbounded<Element>();
    private readonly List<Element> _held = [];
    private readonly List<Element> _log = [];
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private Stream _stream;
    private Task _pump = Task.CompletedTask;
    private TaskCompletionSource _readGate = CompletedGate();
    private int _nextId;
    private volatile bool _countStanzas;
    private int _handled;

    private XmppTestClient(ParleyTestNode node, TcpClient tcp)
    {
        _node = node;
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    public string Name { get; private set; } = "client";

    /// <summary>The full JID the server bound, once bound.</summary>
    public Jid? Jid { get; private set; }

    public Jid FullJid => Jid ?? throw new InvalidOperationException("Not bound yet.");

    /// <summary>Stanzas received since stream management was enabled (the XEP-0198 'h' this client would report).</summary>
    public uint Handled => (uint)Volatile.Read(ref _handled);

    public Element? StreamHeader { get; private set; }

    public static async Task<XmppTestClient> ConnectAsync(ParleyTestNode node, string name = "client")
    {
        var tcp = new TcpClient { NoDelay = true };
        using var timeout = new CancellationTokenSource(Timeout);
        await tcp.ConnectAsync(System.Net.IPAddress.Loopback, node.Port, timeout.Token);
        var client = new XmppTestClient(node, tcp) { Name = name };
        client.StartPump();
        return client;
    }

    /// <summary>Connects, STARTTLS, SASL PLAIN, binds; no presence sent yet.</summary>
    public static async Task<XmppTestClient> LoginAsync(ParleyTestNode node, TestAccount account, string? resource = null)
    {
        var client = await ConnectAsync(node, account.Local + "/" + (resource ?? "*"));
        await client.AuthenticateAsync(account);
        await client.BindAsync(resource);
        return client;
    }

    /// <summary>Logs in, asks for the roster (so the session gets pushes) and sends initial presence.</summary>
    public static async Task<XmppTestClient> OnlineAsync(ParleyTestNode node, TestAccount account, string? resource = null, string? show = null, string? status = null, int? priority = null)
    {
        var client = await LoginAsync(node, account, resource);
        await client.GetRosterAsync();
        await client.SendPresenceAsync(show, status, priority);
        await client.ReceiveAsync(e => IsPresenceFrom(e, client.FullJid) && e.GetAttribute("type") is null, "the echo of its own initial presence");
        return client;
    }

    // ---------------------------------------------------------------- negotiation

    /// <summary>Sends a stream header; returns the first element after the server's header (features or stream error).</summary>
    public async Task<Element> OpenStreamAsync(string? to = ParleyTestNode.Domain)
    {
        var header = new StringBuilder("<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'");
        if (to is not null)
        {
            header.Append(" to='").Append(to).Append('\'');
        }

        await SendAsync(header.Append('>').ToString());
        StreamHeader = await NextAsync("the server's stream header");
        Assert.True(StreamHeader.Is("stream", XmppNamespaces.Streams), $"Expected a stream header, got {StreamHeader}");
        return await NextAsync("stream features or a stream error");
    }

    /// <summary>STARTTLS (RFC 6120 §5): trusts only the node's private CA and checks the name example.com.</summary>
    public async Task<Element> StartTlsAsync()
    {
        await SendAsync("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
        var proceed = await NextAsync("<proceed/>");
        Assert.True(proceed.Is("proceed", XmppNamespaces.Tls), $"Expected <proceed/>, got {proceed}");
        await _pump.WaitAsync(Timeout);

        using var ca = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(_node.CaCertificatePath));
        var tls = new SslStream(_tcp.GetStream(), leaveInnerStreamOpen: false);
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = ParleyTestNode.Domain,
            RemoteCertificateValidationCallback = (_, certificate, _, errors) => ValidateServerCertificate(ca, certificate, errors),
        };
        using (var timeout = new CancellationTokenSource(Timeout))
        {
            await tls.AuthenticateAsClientAsync(options, timeout.Token);
        }

        _stream = tls;
        _parser.Reset();
        StartPump();
        return await OpenStreamAsync();
    }

    internal static bool ValidateServerCertificate(X509Certificate2 ca, X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch) || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
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

    /// <summary>Sends SASL PLAIN; returns &lt;success/&gt; or &lt;failure/&gt;.</summary>
    public async Task<Element> SaslPlainAsync(string user, string password)
    {
        var message = Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{user}\0{password}"));
        await SendAsync($"<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>{message}</auth>");
        return await NextAsync("the SASL outcome");
    }

    /// <summary>SCRAM-SHA-256 or SCRAM-SHA-1 (RFC 5802/7677) without channel binding; verifies the server signature.</summary>
    public async Task<Element> SaslScramAsync(string mechanism, string user, string password)
    {
        var hash = mechanism == "SCRAM-SHA-1" ? HashAlgorithmName.SHA1 : HashAlgorithmName.SHA256;
        var clientNonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
        var clientFirstBare = $"n={user},r={clientNonce}";
        await SendAsync($"<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='{mechanism}'>{B64("n,," + clientFirstBare)}</auth>");
        var challenge = await NextAsync("the SCRAM challenge");
        if (!challenge.Is("challenge", XmppNamespaces.Sasl))
        {
            return challenge;
        }

        var serverFirst = Encoding.UTF8.GetString(Convert.FromBase64String(challenge.Text));
        var fields = serverFirst.Split(',').ToDictionary(f => f[..1], f => f[2..]);
        Assert.StartsWith(clientNonce, fields["r"]);
        var salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), Convert.FromBase64String(fields["s"]), int.Parse(fields["i"], CultureInfo.InvariantCulture), hash, hash == HashAlgorithmName.SHA1 ? 20 : 32);
        var clientFinalWithoutProof = $"c=biws,r={fields["r"]}";
        var authMessage = Encoding.UTF8.GetBytes($"{clientFirstBare},{serverFirst},{clientFinalWithoutProof}");
        var clientKey = Hmac(hash, salted, "Client Key"u8.ToArray());
        var storedKey = hash == HashAlgorithmName.SHA1 ? SHA1.HashData(clientKey) : SHA256.HashData(clientKey);
        var signature = Hmac(hash, storedKey, authMessage);
        var proof = clientKey.Zip(signature, (a, b) => (byte)(a ^ b)).ToArray();
        await SendAsync($"<response xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>{B64($"{clientFinalWithoutProof},p={Convert.ToBase64String(proof)}")}</response>");
        var outcome = await NextAsync("the SCRAM outcome");
        if (outcome.Is("success", XmppNamespaces.Sasl))
        {
            var expected = "v=" + Convert.ToBase64String(Hmac(hash, Hmac(hash, salted, "Server Key"u8.ToArray()), authMessage));
            Assert.Equal(expected, Encoding.UTF8.GetString(Convert.FromBase64String(outcome.Text)));
        }

        return outcome;
    }

    /// <summary>Opens the stream, STARTTLS, PLAIN, and reopens the stream; returns the post-auth features.</summary>
    public async Task<Element> AuthenticateAsync(TestAccount account)
    {
        var features = await OpenStreamAsync();
        Assert.NotNull(features.Child("starttls", XmppNamespaces.Tls));
        await StartTlsAsync();
        var outcome = await SaslPlainAsync(account.Local, account.Password);
        Assert.True(outcome.Is("success", XmppNamespaces.Sasl), $"Expected SASL success for {account}, got {outcome}");
        return await OpenStreamAsync();
    }

    /// <summary>RFC 6120 §7: binds the resource (server-generated when null); returns the bound full JID.</summary>
    public async Task<Jid> BindAsync(string? resource)
    {
        var iq = new Element("iq", XmppNamespaces.Client).SetAttribute("type", "set");
        var bind = iq.AddChild("bind", XmppNamespaces.Bind);
        if (resource is not null)
        {
            bind.AddChild("resource", XmppNamespaces.Bind).AddText(resource);
        }

        var result = await IqAsync(iq);
        Assert.Equal("result", result.GetAttribute("type"));
        Jid = Parley.Xmpp.Addressing.Jid.Parse(result.Child("bind", XmppNamespaces.Bind)!.ChildText("jid", XmppNamespaces.Bind)!);
        Name = Jid.ToString();
        return Jid;
    }

    // ---------------------------------------------------------------- stanzas

    public async Task SendAsync(string xml)
    {
        var bytes = Encoding.UTF8.GetBytes(xml);
        using var timeout = new CancellationTokenSource(Timeout);
        await _writeGate.WaitAsync(timeout.Token);
        try
        {
            await _stream.WriteAsync(bytes, timeout.Token);
            await _stream.FlushAsync(timeout.Token);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public Task SendAsync(Element element) => SendAsync(element.ToXml(XmppNamespaces.Client));

    public string NextId() => $"{Name.Split('@')[0]}-{Interlocked.Increment(ref _nextId)}";

    /// <summary>Sends an IQ (an id is added if missing) and returns its result or error.</summary>
    public async Task<Element> IqAsync(Element iq)
    {
        var id = iq.GetAttribute("id") ?? NextId();
        iq.SetAttribute("id", id);
        await SendAsync(iq);
        return await ReceiveAsync(e => e.Name == "iq" && e.GetAttribute("id") == id && e.GetAttribute("type") is "result" or "error", $"the answer to iq '{id}'");
    }

    public static Element Iq(string type, string? to, string payloadName, string payloadNamespace, out Element payload)
    {
        var iq = new Element("iq", XmppNamespaces.Client).SetAttribute("type", type).SetAttribute("to", to);
        payload = iq.AddChild(payloadName, payloadNamespace);
        return iq;
    }

    public async Task<Element> GetRosterAsync(string? ver = null)
    {
        var iq = Iq("get", null, "query", XmppNamespaces.Roster, out var query);
        query.SetAttribute("ver", ver);
        var result = await IqAsync(iq);
        Assert.Equal("result", result.GetAttribute("type"));
        return result;
    }

    public Task<Element> SetRosterItemAsync(Jid contact, string? name = null, params string[] groups)
    {
        var iq = Iq("set", null, "query", XmppNamespaces.Roster, out var query);
        var item = query.AddChild("item", XmppNamespaces.Roster).SetAttribute("jid", contact.ToString()).SetAttribute("name", name);
        foreach (var group in groups)
        {
            item.AddChild("group", XmppNamespaces.Roster).AddText(group);
        }

        return IqAsync(iq);
    }

    public Task<Element> RemoveRosterItemAsync(Jid contact)
    {
        var iq = Iq("set", null, "query", XmppNamespaces.Roster, out var query);
        query.AddChild("item", XmppNamespaces.Roster).SetAttribute("jid", contact.ToString()).SetAttribute("subscription", "remove");
        return IqAsync(iq);
    }

    public Task SendPresenceAsync(string? show = null, string? status = null, int? priority = null, string? type = null, Jid? to = null)
    {
        var presence = new Element("presence", XmppNamespaces.Client).SetAttribute("type", type).SetAttribute("to", to?.ToString());
        if (show is not null)
        {
            presence.AddChild("show", XmppNamespaces.Client).AddText(show);
        }

        if (status is not null)
        {
            presence.AddChild("status", XmppNamespaces.Client).AddText(status);
        }

        if (priority is not null)
        {
            presence.AddChild("priority", XmppNamespaces.Client).AddText(priority.Value.ToString(CultureInfo.InvariantCulture));
        }

        return SendAsync(presence);
    }

    public Task SendSubscriptionAsync(string type, Jid to) => SendPresenceAsync(type: type, to: to);

    public Task SendMessageAsync(Jid to, string? body, string? type = "chat", string? id = null, Element? extra = null)
    {
        var message = new Element("message", XmppNamespaces.Client).SetAttribute("to", to.ToString()).SetAttribute("type", type).SetAttribute("id", id ?? NextId());
        if (body is not null)
        {
            message.AddChild("body", XmppNamespaces.Client).AddText(body);
        }

        if (extra is not null)
        {
            message.Add(extra);
        }

        return SendAsync(message);
    }

    // ---------------------------------------------------------------- XEP-0198

    /// <summary>Sends &lt;enable/&gt; and returns the answer; from now on received stanzas are counted.</summary>
    public async Task<Element> EnableStreamManagementAsync(bool resume = true)
    {
        Volatile.Write(ref _handled, 0);
        _countStanzas = true;
        await SendAsync(resume ? "<enable xmlns='urn:xmpp:sm:3' resume='true'/>" : "<enable xmlns='urn:xmpp:sm:3'/>");
        return await ReceiveAsync(e => e.Namespace == XmppNamespaces.StreamManagement && e.Name is "enabled" or "failed", "<enabled/> or <failed/>");
    }

    /// <summary>Resumes a session on this (authenticated, unbound) stream with the given 'h'.</summary>
    public async Task<Element> ResumeAsync(string previousId, uint handled)
    {
        Volatile.Write(ref _handled, (int)handled);
        _countStanzas = true;
        await SendAsync($"<resume xmlns='urn:xmpp:sm:3' previd='{previousId}' h='{handled}'/>");
        return await ReceiveAsync(e => e.Namespace == XmppNamespaces.StreamManagement && e.Name is "resumed" or "failed", "<resumed/> or <failed/>");
    }

    public Task AckAsync(uint handled) => SendAsync($"<a xmlns='urn:xmpp:sm:3' h='{handled}'/>");

    public Task AckAsync() => AckAsync(Handled);

    // ---------------------------------------------------------------- receiving

    public Task<Element> NextAsync(string what, TimeSpan? timeout = null) => ReceiveAsync(_ => true, what, timeout);

    /// <summary>The first element (held or arriving) that matches; the others stay queued in order.</summary>
    public async Task<Element> ReceiveAsync(Func<Element, bool> match, string what, TimeSpan? timeout = null)
    {
        for (var i = 0; i < _held.Count; i++)
        {
            if (match(_held[i]))
            {
                var found = _held[i];
                _held.RemoveAt(i);
                return found;
            }
        }

        using var cancel = new CancellationTokenSource(timeout ?? Timeout);
        try
        {
            while (true)
            {
                var element = await _incoming.Reader.ReadAsync(cancel.Token);
                if (match(element))
                {
                    return element;
                }

                _held.Add(element);
            }
        }
        catch (OperationCanceledException)
        {
            throw new XunitException($"{Name} did not receive {what} within {(timeout ?? Timeout).TotalSeconds} s. Received so far:\n  {string.Join("\n  ", Transcript())}");
        }
        catch (ChannelClosedException)
        {
            throw new XunitException($"{Name}: the connection ended before {what} arrived. Received:\n  {string.Join("\n  ", Transcript())}");
        }
    }

    /// <summary>Asserts that nothing matching arrives within <see cref="Quiet"/> (held elements count too).</summary>
    public async Task ExpectNoneAsync(Func<Element, bool> match, string what, TimeSpan? within = null)
    {
        if (_held.FirstOrDefault(match) is { } early)
        {
            throw new XunitException($"{Name} received {what}, which it must not: {early}");
        }

        using var cancel = new CancellationTokenSource(within ?? Quiet);
        try
        {
            while (true)
            {
                var element = await _incoming.Reader.ReadAsync(cancel.Token);
                if (match(element))
                {
                    throw new XunitException($"{Name} received {what}, which it must not: {element}");
                }

                _held.Add(element);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (ChannelClosedException)
        {
        }
    }

    /// <summary>Waits for &lt;stream:error/&gt; and returns its condition name, then for the end of the stream.</summary>
    public async Task<Element> ExpectStreamErrorAsync(string condition)
    {
        var error = await ReceiveAsync(e => e.Is("error", XmppNamespaces.Streams), $"a stream error <{condition}/>");
        Assert.Equal(condition, error.FirstChild(XmppNamespaces.StreamErrors)?.Name);
        await ReceiveAsync(e => e.Namespace == ClientNamespace, "the end of the stream");
        return error;
    }

    /// <summary>Waits until the server ends the stream or closes the connection.</summary>
    public Task<Element> ExpectClosedAsync() => ReceiveAsync(e => e.Namespace == ClientNamespace, "the end of the stream");

    /// <summary>Everything received on this connection, for failure messages.</summary>
    public IReadOnlyList<string> Transcript()
    {
        lock (_log)
        {
            return _log.Select(e => e.ToXml(XmppNamespaces.Client)).ToArray();
        }
    }

    // ---------------------------------------------------------------- closing

    /// <summary>Ends the stream politely (&lt;/stream:stream&gt;) and waits for the server's end.</summary>
    public async Task CloseAsync()
    {
        try
        {
            await SendAsync("</stream:stream>");
            await ReceiveAsync(e => e.Namespace == ClientNamespace, "the server closing the stream");
        }
        finally
        {
            await DisposeAsync();
        }
    }

    /// <summary>Cuts the TCP connection without a closing tag (a dropped network).</summary>
    public void Cut()
    {
        try
        {
            _tcp.Client.LingerState = new LingerOption(true, 0);
        }
        catch (SocketException)
        {
        }

        _tcp.Close();
    }

    public async ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        try
        {
            await _pump.WaitAsync(Timeout);
        }
        catch (Exception ex) when (ex is TimeoutException or IOException or ObjectDisposedException)
        {
        }
    }

    // ---------------------------------------------------------------- predicates

    public static bool IsPresenceFrom(Element e, Jid from) => e.Name == "presence" && e.GetAttribute("from") == from.ToString();

    public static bool IsPresence(Element e, Jid from, string? type) => IsPresenceFrom(e, from) && e.GetAttribute("type") == type;

    public static bool IsRosterPush(Element e, Jid contact)
        => e.Name == "iq" && e.GetAttribute("type") == "set"
           && e.Child("query", XmppNamespaces.Roster)?.Child("item", XmppNamespaces.Roster)?.GetAttribute("jid") == contact.ToString();

    public static bool IsMessageFrom(Element e, Jid from) => e.Name == "message" && e.GetAttribute("from") == from.ToString();

    // ---------------------------------------------------------------- pump

    /// <summary>Stops taking data from the socket, as a client that hangs or stops reading would.</summary>
    public void StopReading() => _readGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void ResumeReading() => _readGate.TrySetResult();

    private static TaskCompletionSource CompletedGate()
    {
        var gate = new TaskCompletionSource();
        gate.SetResult();
        return gate;
    }

    private void StartPump()
    {
        var stream = _stream;
        _pump = Task.Run(() => PumpAsync(stream));
    }

    private async Task PumpAsync(Stream stream)
    {
        var buffer = new byte[16384];
        var pending = new byte[16384];
        var pendingLength = 0;
        try
        {
            while (true)
            {
                await _readGate.Task;
                var read = await stream.ReadAsync(buffer);
                if (read == 0)
                {
                    Publish(new Element("closed", ClientNamespace));
                    _incoming.Writer.TryComplete();
                    return;
                }

                if (pendingLength + read > pending.Length)
                {
                    Array.Resize(ref pending, Math.Max(pending.Length * 2, pendingLength + read));
                }

                buffer.AsSpan(0, read).CopyTo(pending.AsSpan(pendingLength));
                pendingLength += read;
                var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(pending, 0, pendingLength));
                var stop = false;
                while (!stop && _parser.TryRead(ref reader, out var streamEvent))
                {
                    switch (streamEvent.Kind)
                    {
                        case XmppStreamEventKind.StreamEnd:
                            Publish(new Element("stream-end", ClientNamespace));
                            break;
                        default:
                            var element = streamEvent.Element!;
                            Publish(element);
                            if (element.Is("success", XmppNamespaces.Sasl))
                            {
                                _parser.Reset(); // The server's next bytes open a new stream.
                            }
                            else if (element.Is("proceed", XmppNamespaces.Tls))
                            {
                                stop = true; // TLS starts on the raw socket now: stop reading it in clear.
                            }

                            break;
                    }
                }

                var consumed = (int)reader.Consumed;
                pending.AsSpan(consumed, pendingLength - consumed).CopyTo(pending);
                pendingLength -= consumed;
                if (stop)
                {
                    return;
                }
            }
        }
        catch (XmppStreamException ex)
        {
            Publish(new Element("parse-error", ClientNamespace).AddText(ex.Message));
            _incoming.Writer.TryComplete();
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or SocketException or OperationCanceledException)
        {
            Publish(new Element("closed", ClientNamespace).AddText(ex.GetType().Name));
            _incoming.Writer.TryComplete();
        }
    }

    private void Publish(Element element)
    {
        if (_countStanzas && element.Namespace == XmppNamespaces.Client && element.Name is "message" or "presence" or "iq")
        {
            Interlocked.Increment(ref _handled);
        }

        lock (_log)
        {
            _log.Add(element);
        }

        _incoming.Writer.TryWrite(element);
    }

    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private static byte[] Hmac(HashAlgorithmName hash, byte[] key, byte[] data)
        => hash == HashAlgorithmName.SHA1 ? HMACSHA1.HashData(key, data) : HMACSHA256.HashData(key, data);
}
