using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Channels;
using Parley.Server.Tests.Xmpp.Support;
using Parley.Sip.Authentication;
using Parley.Sip.Messages;
using Parley.Sip.Parsing;
using Xunit.Sdk;

namespace Parley.Server.Tests.Sip.Support;

/// <summary>
/// A minimal SIP user agent for protocol tests, over UDP or TCP on 127.0.0.1, built on Parley.Sip's own parser and
/// writer. Requests it sends wait for their final response; 401/407 challenges are answered with digest
/// (<see cref="DigestCalculator"/>) when asked. Requests the server sends it (MESSAGE, INFO, BYE, NOTIFY) are queued for
/// the test and answered with <see cref="AnswerStatus"/> (200 by default).
/// </summary>
public sealed class SipTestClient : IAsyncDisposable
{
    /// <summary>How long an expected response or request may take before the test fails.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>How long to listen when asserting that nothing arrives.</summary>
    public static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(500);

    private readonly SipMessageParser _parser = new(new SipLimits());
    private readonly ConcurrentDictionary<string, TaskCompletionSource<SipResponse>> _pending = new(StringComparer.Ordinal);
    private readonly Channel<SipRequest> _requests = Channel.CreateUnbounded<SipRequest>();
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly Socket _socket;
    private readonly IPEndPoint _server;
    private readonly string _callId = NewToken() + "@test";
    private readonly string _fromTag = NewToken();
    private Stream? _stream;
    private Task _pump = Task.CompletedTask;
    private uint _cseq;
    private int _nonceCount;

    private SipTestClient(TestAccount account, string transport, Socket socket, IPEndPoint server)
    {
        Account = account;
        Transport = transport;
        _socket = socket;
        _server = server;
    }

    public TestAccount Account { get; }

    /// <summary>"UDP", "TCP" or "TLS".</summary>
    public string Transport { get; }

    /// <summary>The client's own address (its Contact).</summary>
    public IPEndPoint LocalEndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    /// <summary>The user's address of record, sip:user@domain.</summary>
    public SipUri Aor => new("sip", Account.Local, Account.Jid.Domain);

    /// <summary>This client's contact URI (with ;transport=tcp over TCP).</summary>
    public SipUri Contact
    {
        get
        {
            var uri = new SipUri("sip", Account.Local, "127.0.0.1", LocalEndPoint.Port);
            if (Transport != "UDP")
            {
                uri.Parameters.Set("transport", Transport.ToLowerInvariant());
            }

            return uri;
        }
    }

    /// <summary>The status used to answer requests from the server (MESSAGE, INFO, BYE, NOTIFY); 0 leaves them unanswered.</summary>
    public int AnswerStatus { get; set; } = 200;

    /// <summary>The password used to answer challenges (defaults to the account's).</summary>
    public string Password { get; set; } = string.Empty;

    /// <summary>Which offered algorithm to answer with (MD5, the only one the server offers by default).</summary>
    public DigestAlgorithm Algorithm { get; set; } = DigestAlgorithm.Md5;

    /// <summary>Connects over "UDP", "TCP" or "TLS" (to the TLS port, trusting the node's private CA).</summary>
    public static async Task<SipTestClient> ConnectAsync(ParleyTestNode node, TestAccount account, string transport = "UDP")
    {
        var server = new IPEndPoint(IPAddress.Loopback, transport == "TLS" ? node.SipsPort : node.SipPort);
        var udp = transport == "UDP";
        var socket = udp
            ? new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp)
            : new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var client = new SipTestClient(account, transport, socket, server) { Password = account.Password };
        if (!udp)
        {
            using var timeout = new CancellationTokenSource(Timeout);
            await socket.ConnectAsync(server, timeout.Token);
            client._stream = new NetworkStream(socket, ownsSocket: false);
            if (transport == "TLS")
            {
                using var ca = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(node.CaCertificatePath));
                var tls = new SslStream(client._stream, leaveInnerStreamOpen: false);
                await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = ParleyTestNode.Domain,
                    RemoteCertificateValidationCallback = (_, certificate, _, errors) => XmppTestClient.ValidateServerCertificate(ca, certificate, errors),
                }, timeout.Token);
                client._stream = tls;
            }
        }

        client._pump = udp ? client.PumpDatagramsAsync() : client.PumpStreamAsync(client._stream!);
        return client;
    }

    /// <summary>
    /// A user agent that only listens on TCP (its Contact) and takes the first connection the server opens to it, as a
    /// phone reached at its registered Contact after the connection it registered over is gone.
    /// </summary>
    public static SipTestClient ListenTcp(ParleyTestNode node, TestAccount account)
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        var client = new SipTestClient(account, "TCP", listener, new IPEndPoint(IPAddress.Loopback, node.SipPort)) { Password = account.Password };
        client._pump = client.AcceptThenPumpAsync();
        return client;
    }

    /// <summary>
    /// A new request from this user: Via (fresh branch, rport), From with this client's tag, To, the client's Call-ID,
    /// the next CSeq, Max-Forwards 70 and Contact.
    /// </summary>
    public SipRequest CreateRequest(string method, SipUri requestUri, SipUri? to = null, string? callId = null)
    {
        var request = SipRequest.Create(method, requestUri);
        request.Headers.Add(SipHeaderNames.Via, NewVia());
        request.Headers.Add(SipHeaderNames.MaxForwards, "70");
        request.Headers.Add(SipHeaderNames.From, new NameAddress(Aor) { Tag = _fromTag }.ToString());
        request.Headers.Add(SipHeaderNames.To, new NameAddress(to ?? requestUri).ToString());
        request.Headers.Add(SipHeaderNames.CallId, callId ?? _callId);
        request.Headers.Add(SipHeaderNames.CSeq, new CSeqHeader(NextCSeq(), method).ToString());
        request.Headers.Add(SipHeaderNames.Contact, new NameAddress(Contact).ToString());
        return request;
    }

    /// <summary>REGISTER for this user's address of record, authenticated.</summary>
    public Task<SipResponse> RegisterAsync(int? expires = 3600, SipUri? contact = null, Action<SipRequest>? decorate = null)
    {
        var request = CreateRequest(SipMethods.Register, new SipUri("sip", null, Account.Jid.Domain), Aor);
        if (contact is not null)
        {
            request.Headers.Set(SipHeaderNames.Contact, new NameAddress(contact).ToString());
        }

        if (expires is { } seconds)
        {
            request.Headers.Set(SipHeaderNames.Expires, seconds.ToString(CultureInfo.InvariantCulture));
        }

        decorate?.Invoke(request);
        return SendAuthenticatedAsync(request);
    }

    /// <summary>REGISTER without Contact (RFC 3261 §10.2.3): the current bindings, authenticated.</summary>
    public Task<SipResponse> QueryBindingsAsync()
        => RegisterAsync(null, decorate: request => request.Headers.Remove(SipHeaderNames.Contact));

    /// <summary>The contact URIs and expires values of a REGISTER 200.</summary>
    public static IReadOnlyList<(SipUri Uri, int Expires)> Bindings(SipResponse response)
        => response.Headers.GetValues(SipHeaderNames.Contact)
            .Select(value => NameAddress.Parse(value))
            .Select(contact => (contact.Uri, int.Parse(contact.Parameters["expires"] ?? "-1", CultureInfo.InvariantCulture)))
            .ToArray();

    /// <summary>A page-mode MESSAGE with text to <paramref name="to"/>, authenticated.</summary>
    public Task<SipResponse> SendMessageAsync(TestAccount to, string text, string contentType = "text/plain;charset=UTF-8")
    {
        var uri = new SipUri("sip", to.Local, to.Jid.Domain);
        var request = CreateRequest(SipMethods.Message, uri, callId: NewToken() + "@test");
        request.Headers.Remove(SipHeaderNames.Contact);
        request.ContentType = contentType;
        request.Body = System.Text.Encoding.UTF8.GetBytes(text);
        return SendAuthenticatedAsync(request);
    }

    /// <summary>Sends; on 401/407 answers the challenge once (the same request, new branch and CSeq) and returns that final response.</summary>
    public async Task<SipResponse> SendAuthenticatedAsync(SipRequest request)
    {
        var response = await SendAsync(request.Clone());
        if (response.StatusCode is not (401 or 407))
        {
            return response;
        }

        return await SendAsync(Authorize(request, response));
    }

    /// <summary>A copy of <paramref name="request"/> with credentials answering <paramref name="challengeResponse"/>, a new branch and the next CSeq.</summary>
    public SipRequest Authorize(SipRequest request, SipResponse challengeResponse, string? nonceOverride = null, bool keepCSeq = false)
    {
        var proxy = challengeResponse.StatusCode == 407;
        var challenges = challengeResponse.Headers.GetAll(proxy ? SipHeaderNames.ProxyAuthenticate : SipHeaderNames.WwwAuthenticate)
            .Select(value => DigestChallenge.TryParse(value, out var challenge) ? challenge : null)
            .OfType<DigestChallenge>()
            .ToArray();
        var chosen = challenges.FirstOrDefault(c => c.Algorithm == Algorithm)
            ?? throw new XunitException($"No {Algorithm} challenge in: {string.Join(" | ", challenges.Select(c => c.ToString()))}");
        var retry = request.Clone();
        ReplaceTopBranch(retry);
        if (!keepCSeq)
        {
            retry.CSeq = new CSeqHeader(NextCSeq(), retry.Method);
        }

        var nonce = nonceOverride ?? chosen.Nonce;
        var nc = Interlocked.Increment(ref _nonceCount).ToString("x8", CultureInfo.InvariantCulture);
        var cnonce = NewToken();
        var uri = retry.RequestUri.ToString();
        var ha1 = DigestCalculator.HA1(chosen.Algorithm, Account.Local, chosen.Realm, Password);
        var ha2 = DigestCalculator.HA2(chosen.Algorithm, retry.Method, uri, "auth");
        var credentials = new DigestCredentials
        {
            Username = Account.Local,
            Realm = chosen.Realm,
            Nonce = nonce,
            Uri = uri,
            Response = DigestCalculator.Response(chosen.Algorithm, ha1, nonce, nc, cnonce, "auth", ha2),
            Algorithm = chosen.Algorithm,
            Cnonce = cnonce,
            Qop = "auth",
            NonceCount = nc,
        };
        retry.Headers.Set(proxy ? SipHeaderNames.ProxyAuthorization : SipHeaderNames.Authorization, credentials.ToString());
        return retry;
    }

    /// <summary>Sends a request and waits for its final response (provisional ones are skipped).</summary>
    public async Task<SipResponse> SendAsync(SipRequest request)
    {
        // A CANCEL shares its INVITE's branch (RFC 3261 §9.1): the method tells their responses apart.
        var branch = (request.TopVia.Branch ?? throw new InvalidOperationException("The request has no branch.")) + " " + request.CSeq.Method;
        var completion = new TaskCompletionSource<SipResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[branch] = completion;
        await WriteAsync(request);
        try
        {
            var response = await completion.Task.WaitAsync(Timeout);
            if (request.Method == SipMethods.Invite && !response.IsSuccess)
            {
                await WriteAsync(AckFor(request, response, request.RequestUri, request.TopVia.ToString()));
            }

            return response;
        }
        catch (TimeoutException)
        {
            throw new XunitException($"No final response to {request.Method} {request.RequestUri} within {Timeout.TotalSeconds} s.");
        }
        finally
        {
            _pending.TryRemove(branch, out _);
        }
    }

    /// <summary>
    /// An ACK (RFC 3261 §17.1.1.3 for a non-2xx: same branch; §13.2.2.4 for a 2xx: new branch to the Contact, sent
    /// with <see cref="WriteAsync(SipMessage)"/>).
    /// </summary>
    public SipRequest AckFor(SipRequest invite, SipResponse response, SipUri target, string? via = null)
    {
        var ack = SipRequest.Create(SipMethods.Ack, target);
        ack.Headers.Add(SipHeaderNames.Via, via ?? NewVia());
        ack.Headers.Add(SipHeaderNames.MaxForwards, "70");
        ack.Headers.Add(SipHeaderNames.From, invite.Headers[SipHeaderNames.From]!);
        ack.Headers.Add(SipHeaderNames.To, response.Headers[SipHeaderNames.To]!);
        ack.Headers.Add(SipHeaderNames.CallId, invite.CallId);
        ack.CSeq = new CSeqHeader(invite.CSeq.Number, SipMethods.Ack);
        return ack;
    }

    /// <summary>A request inside the dialog the INVITE's 2xx <paramref name="ok"/> established (to its Contact, with both tags).</summary>
    public SipRequest CreateInDialogRequest(string method, SipRequest invite, SipResponse ok)
    {
        var target = NameAddress.Parse(ok.Headers[SipHeaderNames.Contact]!).Uri;
        var request = SipRequest.Create(method, target);
        request.Headers.Add(SipHeaderNames.Via, NewVia());
        request.Headers.Add(SipHeaderNames.MaxForwards, "70");
        request.Headers.Add(SipHeaderNames.From, invite.Headers[SipHeaderNames.From]!);
        request.Headers.Add(SipHeaderNames.To, ok.Headers[SipHeaderNames.To]!);
        request.Headers.Add(SipHeaderNames.CallId, invite.CallId);
        request.CSeq = new CSeqHeader(NextCSeq(), method);
        return request;
    }

    /// <summary>Sends a message without waiting (an ACK, a response, raw bytes).</summary>
    public Task WriteAsync(SipMessage message) => WriteAsync(SipMessageWriter.ToBytes(message));

    public async Task WriteAsync(byte[] bytes)
    {
        await _writeGate.WaitAsync();
        try
        {
            if (Transport == "UDP")
            {
                await _socket.SendToAsync(bytes, SocketFlags.None, _server);
            }
            else
            {
                await _stream!.WriteAsync(bytes);
                await _stream.FlushAsync();
            }
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>The next request the server sent this client, optionally the first matching (others stay queued).</summary>
    public async Task<SipRequest> ReceiveRequestAsync(string? method = null)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var skipped = new List<SipRequest>();
        try
        {
            while (true)
            {
                var request = await _requests.Reader.ReadAsync(timeout.Token);
                if (method is null || request.Method == method)
                {
                    return request;
                }

                skipped.Add(request);
            }
        }
        catch (OperationCanceledException)
        {
            throw new XunitException($"No {method ?? "request"} from the server within {Timeout.TotalSeconds} s (other requests: {string.Join(", ", skipped.Select(r => r.Method))}).");
        }
        finally
        {
            foreach (var other in skipped)
            {
                _requests.Writer.TryWrite(other);
            }
        }
    }

    /// <summary>Fails if the server sends a request of that method within <see cref="Quiet"/>.</summary>
    public async Task AssertNoRequestAsync(string method)
    {
        await Task.Delay(Quiet);
        var seen = new List<SipRequest>();
        while (_requests.Reader.TryRead(out var request))
        {
            seen.Add(request);
        }

        foreach (var request in seen)
        {
            _requests.Writer.TryWrite(request);
        }

        Assert.DoesNotContain(seen, r => r.Method == method);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_stream is not null)
        {
            await _stream.DisposeAsync();
        }

        _socket.Dispose();
        try
        {
            await _pump.WaitAsync(Timeout);
        }
        catch (Exception)
        {
            // The pump ends with a socket error once the socket is closed.
        }

        _stop.Dispose();
    }

    private async Task PumpDatagramsAsync()
    {
        var buffer = new byte[65536];
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                continue; // ICMP port unreachable from an earlier send: keep listening.
            }

            if (SipMessageParser.IsKeepAlive(buffer.AsSpan(0, received.ReceivedBytes)))
            {
                continue;
            }

            await DispatchAsync(_parser.ParseDatagram(buffer.AsSpan(0, received.ReceivedBytes)));
        }
    }

    private async Task AcceptThenPumpAsync()
    {
        var accepted = await _socket.AcceptAsync(_stop.Token);
        accepted.NoDelay = true;
        _stream = new NetworkStream(accepted, ownsSocket: true);
        await PumpStreamAsync(_stream);
    }

    private async Task PumpStreamAsync(Stream stream)
    {
        var pending = new ArrayBufferWriter<byte>();
        var buffer = new byte[65536];
        while (!_stop.IsCancellationRequested)
        {
            int read;
            try
            {
                read = await stream.ReadAsync(buffer, _stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            if (read == 0)
            {
                return;
            }

            pending.Write(buffer.AsSpan(0, read));
            var sequence = new ReadOnlySequence<byte>(pending.WrittenMemory);
            var consumedAny = false;
            while (_parser.TryParseStream(ref sequence, out var message, out _))
            {
                consumedAny = true;
                if (message is not null)
                {
                    await DispatchAsync(message);
                }
            }

            if (consumedAny || sequence.Length != pending.WrittenCount)
            {
                var rest = sequence.ToArray();
                pending.Clear();
                pending.Write(rest);
            }
        }
    }

    private async Task DispatchAsync(SipMessage message)
    {
        switch (message)
        {
            case SipResponse response when response.IsFinal:
                if (response.TryGetTopVia(out var via) && via.Branch is { } branch && _pending.TryGetValue(branch + " " + response.CSeq.Method, out var waiter))
                {
                    waiter.TrySetResult(response);
                }

                break;
            case SipRequest request:
                if (request.Method == SipMethods.Ack)
                {
                    break;
                }

                _requests.Writer.TryWrite(request);
                if (AnswerStatus != 0)
                {
                    var answer = SipResponse.CreateFor(request, AnswerStatus, null, request.To.Tag ?? NewToken());
                    await WriteAsync(answer);
                }

                break;
        }
    }

    private uint NextCSeq() => Interlocked.Increment(ref _cseq);

    private string NewVia()
    {
        var via = new ViaHeader(Transport, "127.0.0.1", LocalEndPoint.Port, ViaHeader.MagicCookie + NewToken());
        via.Parameters.Set("rport", null);
        return via.ToString();
    }

    private static void ReplaceTopBranch(SipRequest request)
    {
        var via = request.TopVia;
        via.Parameters.Set("branch", ViaHeader.MagicCookie + NewToken());
        request.Headers.RemoveFirstValue(SipHeaderNames.Via);
        request.Headers.AddFirst(SipHeaderNames.Via, via.ToString());
    }

    private static string NewToken() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
}
