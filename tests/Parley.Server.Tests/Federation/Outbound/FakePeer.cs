using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Sip.Dialogs;
using Parley.Sip.Messages;
using Parley.Sip.Parsing;
using Parley.Sip.Transactions;
using Parley.Sip.Transport;

namespace Parley.Server.Tests.Federation.Outbound;

/// <summary>
/// A federation peer (Lync/Kamailio stand-in) made of Parley.Sip's own transport and transaction layer on a free TCP
/// port of 127.0.0.1: records every request it gets and answers it with <see cref="Answer"/> (200 with a To tag and a
/// Contact by default; null leaves it unanswered). It can send requests back (NOTIFY, MESSAGE) in dialogs it answered.
/// </summary>
public sealed class FakePeer : ITransactionUser, IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    private static readonly SipTimers Timers = new(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(400), TimeSpan.FromMilliseconds(500));
    private readonly Channel<SipRequest> _requests = Channel.CreateUnbounded<SipRequest>();
    private readonly SipTransportHost _host;
    private readonly TransactionLayer _transactions;

    private FakePeer(int port)
    {
        _host = new SipTransportHost(new SipTransportHostOptions { Tcp = new IPEndPoint(IPAddress.Loopback, port), AdvertisedHost = "127.0.0.1" },
            TimeProvider.System, NullLogger<SipTransportHost>.Instance);
        _transactions = new TransactionLayer(_host, this, Timers, TimeProvider.System, NullLogger<TransactionLayer>.Instance);
        _host.Start(_transactions);
        Port = port;
    }

    public int Port { get; }

    /// <summary>
    /// The status for each request (null: no answer, so Parley times out; 1xx: that provisional only, the request stays
    /// pending); 200 with tag and Contact unless changed.
    /// </summary>
    public Func<SipRequest, int?> Answer { get; set; } = _ => 200;

    /// <summary>Expires granted in 2xx to SUBSCRIBE (null: what was asked).</summary>
    public int? GrantedExpires { get; set; }

    /// <summary>Dialogs this peer answered with a 2xx, by Call-ID (to send NOTIFY or MESSAGE back in them).</summary>
    public Dictionary<string, Dialog> Dialogs { get; } = new(StringComparer.Ordinal);

    public static FakePeer Start() => new(FreeTcpPort());

    /// <summary>A TCP port nothing listens on (connecting to it fails at once).</summary>
    public static int FreeTcpPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    /// <summary>The next request of <paramref name="method"/> (others received meanwhile are skipped).</summary>
    public async Task<SipRequest> NextAsync(string method, TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? Timeout);
        try
        {
            while (true)
            {
                var request = await _requests.Reader.ReadAsync(cancel.Token);
                if (request.Method == method)
                {
                    return request;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"The fake peer got no {method} within {(timeout ?? Timeout).TotalSeconds} s.");
        }
    }

    /// <summary>Asserts that no request of <paramref name="method"/> comes within <paramref name="within"/>.</summary>
    public async Task ExpectNoneAsync(string method, TimeSpan within)
    {
        using var cancel = new CancellationTokenSource(within);
        try
        {
            while (true)
            {
                var request = await _requests.Reader.ReadAsync(cancel.Token);
                if (request.Method == method)
                {
                    throw new Xunit.Sdk.XunitException($"The fake peer got an unexpected {method}:\n{System.Text.Encoding.UTF8.GetString(SipMessageWriter.ToBytes(request))}");
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Sends a request in a dialog this peer answered, to Parley at <paramref name="parley"/>; returns the final response.</summary>
    public Task<SipResponse> SendInDialogAsync(string callId, string method, Action<SipRequest> decorate, IPEndPoint parley)
    {
        Dialog dialog;
        lock (Dialogs)
        {
            dialog = Dialogs[callId];
        }

        var request = dialog.CreateRequest(method);
        request.Headers.Set(SipHeaderNames.Contact, $"<sip:127.0.0.1:{Port};transport=tcp>");
        decorate(request);
        return _transactions.SendRequestAsync(request, new SipDestination(SipTransportKind.Tcp, parley));
    }

    public async ValueTask OnRequestAsync(ServerTransaction transaction, CancellationToken ct)
    {
        var request = transaction.Request;
        _requests.Writer.TryWrite(request);
        if (Answer(request) is not { } status)
        {
            return;
        }

        var response = SipResponse.CreateFor(request, status, null, request.To.Tag ?? Tags.NewTag());
        response.Headers.Set(SipHeaderNames.Contact, $"<sip:127.0.0.1:{Port};transport=tcp>");
        if (request.Method == SipMethods.Subscribe && status / 100 == 2)
        {
            response.Headers.Set(SipHeaderNames.Expires, (GrantedExpires ?? request.Expires ?? 3600).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (status / 100 == 2 && request.To.Tag is null && request.Method is SipMethods.Subscribe or SipMethods.Invite)
        {
            lock (Dialogs)
            {
                Dialogs[request.CallId] = Dialog.CreateAsUas(request, response);
            }
        }

        await transaction.RespondAsync(response, ct);
    }

    /// <summary>The INVITEs a CANCEL reached, in order.</summary>
    public ConcurrentQueue<SipRequest> CancelledInvites { get; } = new();

    /// <summary>False: a CANCEL is answered 200 but its INVITE never gets a final response (a broken next hop).</summary>
    public bool AnswersCancelledInvites { get; set; } = true;

    public ValueTask OnStrayAckAsync(SipRequest ack, SipSource source, CancellationToken ct)
    {
        _requests.Writer.TryWrite(ack);
        return ValueTask.CompletedTask;
    }

    public ValueTask<CancelHandling> OnCancelAsync(ServerTransaction cancelled, CancellationToken ct)
    {
        CancelledInvites.Enqueue(cancelled.Request);
        return ValueTask.FromResult(AnswersCancelledInvites ? CancelHandling.AnswerRequestTerminated : CancelHandling.FinalResponseFollows);
    }

    public async ValueTask DisposeAsync()
    {
        _transactions.Dispose();
        await _host.DisposeAsync();
    }
}
