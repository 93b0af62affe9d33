using System.Collections.Concurrent;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Parley.Sip.Messages;
using Parley.Sip.Parsing;
using Parley.Sip.Transport;

namespace Parley.Sip.Transactions;

/// <summary>
/// RFC 3261 §17: matches what the transport receives to server and client transactions (dictionaries by
/// <see cref="TransactionKey"/>), creates server transactions for new requests (sending 100 Trying at once for INVITE),
/// handles CANCEL (§9.2) and runs client transactions for <see cref="SendRequestAsync"/>. Completed non-INVITE
/// transactions over UDP end at once and leave a compact trace to absorb retransmissions: the final response for
/// timer J (<see cref="AbsorbedResponses"/>), the key's hash for timer K (<see cref="CompletedClientKeys"/>).
/// </summary>
public sealed partial class TransactionLayer : ISipMessageHandler, IDisposable
{
    private readonly ConcurrentDictionary<TransactionKey, ServerTransaction> _server = new();
    private readonly ConcurrentDictionary<TransactionKey, ClientTransaction> _client = new();
    private readonly AbsorbedResponses _absorbed;
    private readonly CompletedClientKeys _completedClients;

    /// <param name="tokens">The node's random tokens, shared with its other users (a layer of its own when null).</param>
    public TransactionLayer(ISipTransport transport, ITransactionUser user, SipTimers timers, TimeProvider time, ILogger<TransactionLayer> log, RandomTokens? tokens = null)
    {
        Transport = transport ?? throw new ArgumentNullException(nameof(transport));
        User = user ?? throw new ArgumentNullException(nameof(user));
        Timers = timers ?? throw new ArgumentNullException(nameof(timers));
        Time = time ?? throw new ArgumentNullException(nameof(time));
        Logger = log ?? throw new ArgumentNullException(nameof(log));
        Tokens = tokens ?? new RandomTokens();

        // Only responses this stack wrote are parsed again, from their bytes: no receive limit applies to them.
        var ownResponses = new SipMessageParser(new SipLimits { MaxMessageBytes = int.MaxValue });
        _absorbed = new AbsorbedResponses(time, timers.TransactionTimeout, ownResponses);
        _completedClients = new CompletedClientKeys(time, timers.T4);
        Sweeper = new CompletedTransactionSweeper(time, timers, _absorbed, _completedClients);
    }

    /// <summary>Server and client transactions, counting completed non-INVITEs over UDP still absorbing retransmissions (timers J and K).</summary>
    public int ActiveTransactions => _server.Count + _client.Count + _absorbed.Count + _completedClients.Count;

    /// <summary>Stops the completed-transaction sweep (node shutdown).</summary>
    public void Dispose() => Sweeper.Dispose();

    internal ISipTransport Transport { get; }

    internal ITransactionUser User { get; }

    internal SipTimers Timers { get; }

    /// <summary>Branches and tags for this layer's transactions and their users (one random buffer for all of them).</summary>
    public RandomTokens Tokens { get; }

    internal TimeProvider Time { get; }

    internal ILogger Logger { get; }

    internal CompletedTransactionSweeper Sweeper { get; }

    public ValueTask OnMessageAsync(SipMessage message, SipSource source, CancellationToken ct) => message switch
    {
        SipRequest request => OnRequestAsync(request, source, ct),
        SipResponse response => OnResponseAsync(response, source, ct),
        _ => throw new InvalidOperationException($"Internal error: unknown SIP message type {message.GetType()}."),
    };

    public void OnMalformed(SipParseException error, SipSource source) => Log.Malformed(Logger, source.ToString(), error.Reason);

    /// <summary>
    /// Sends a request in a new client transaction. Adds a top Via with a fresh branch and rport to the request (it is
    /// modified: send a fresh request each time), except for a CANCEL that already carries its INVITE's Via (§9.1).
    /// Cancelling <paramref name="ct"/> abandons the transaction locally (no CANCEL is sent).
    /// </summary>
    public async Task<SipResponse> SendRequestAsync(SipRequest request, SipDestination destination, Action<SipResponse>? onProvisional = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(destination);
        if (request.Method == SipMethods.Ack)
        {
            throw new ArgumentException("An ACK is not a transaction; send it with SendStatelessAsync.", nameof(request));
        }

        ct.ThrowIfCancellationRequested();

        if (request.Method != SipMethods.Cancel || !request.Headers.Contains(SipHeaderNames.Via))
        {
            request.Headers.AddFirst(SipHeaderNames.Via, NewVia(destination.Transport));
        }

        var key = new TransactionKey(request.TopVia.Branch ?? string.Empty, string.Empty, request.CSeq.Method);
        var transaction = new ClientTransaction(this, key, request, destination, onProvisional);
        if (!_client.TryAdd(key, transaction))
        {
            throw new InvalidOperationException($"A {key.Method} transaction with branch {key.Branch} is already running.");
        }

        try
        {
            await transaction.StartAsync(ct).ConfigureAwait(false);
            return await transaction.Completion.WaitAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            transaction.Abandon(ct);
            throw;
        }
    }

    /// <summary>
    /// Sends outside any transaction (an ACK for a 2xx, a stateless response or forward). A request without a Via gets
    /// one with a fresh branch; a request that has Vias is sent as is (a forwarding proxy adds its own first).
    /// </summary>
    public ValueTask SendStatelessAsync(SipMessage message, SipDestination destination, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message is SipRequest && !message.Headers.Contains(SipHeaderNames.Via))
        {
            message.Headers.AddFirst(SipHeaderNames.Via, NewVia(destination.Transport));
        }

        return Transport.SendAsync(message, destination, ct);
    }

    /// <summary>Our Via for a new request: sent-by from the transport, a fresh branch, and rport (RFC 3581 §3).</summary>
    public string NewVia(SipTransportKind transport)
    {
        var via = new ViaHeader(transport.ViaToken(), Transport.LocalHost(transport), Transport.LocalPort(transport), Tokens.NewBranch());
        via.Parameters.Set("rport", null);
        return via.ToString();
    }

    internal static bool IsTransportFailure(Exception ex) =>
        ex is SipTransportException or SocketException or IOException or ObjectDisposedException;

    /// <summary>Timer J for a completed non-INVITE over UDP: retransmissions of its request get <paramref name="response"/> again.</summary>
    internal void Absorb(TransactionKey key, SipResponse response)
    {
        _absorbed.Add(key, response);
        Sweeper.EnsureRunning();
    }

    /// <summary>Timer K for a completed non-INVITE over UDP: retransmissions of its final response are discarded for T4.</summary>
    internal void AbsorbFinals(TransactionKey key)
    {
        _completedClients.Add(key);
        Sweeper.EnsureRunning();
    }

    internal void Remove(ServerTransaction transaction) =>
        _server.TryRemove(new KeyValuePair<TransactionKey, ServerTransaction>(transaction.Key, transaction));

    internal void Remove(ClientTransaction transaction) =>
        _client.TryRemove(new KeyValuePair<TransactionKey, ClientTransaction>(transaction.Key, transaction));

    /// <summary>Runs a timer-driven send to completion, logging what the send itself did not handle.</summary>
    internal async Task FireAndForget(ValueTask send)
    {
        try
        {
            await send.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.UserFailed(Logger, "timer", string.Empty, ex);
        }
    }

    internal void ForgetAbsorbed(TransactionKey key) => _absorbed.Remove(key);

    private async ValueTask OnResponseAsync(SipResponse response, SipSource source, CancellationToken ct)
    {
        if (!TransactionKey.TryForClient(response, out var key))
        {
            Log.Unmatchable(Logger, source.ToString());
            return;
        }

        if (_client.TryGetValue(key, out var transaction))
        {
            await transaction.OnResponseAsync(response, source, ct).ConfigureAwait(false);
        }
        else if (response.IsSuccess && key.Method == SipMethods.Invite)
        {
            await User.OnStrayResponseAsync(response, source, ct).ConfigureAwait(false);
        }
        else if (_completedClients.Contains(key))
        {
            Log.RetransmittedFinal(Logger, response.StatusCode, key.Method, key.Branch); // timer K: as the Completed state would
        }
        else
        {
            Log.StrayResponse(Logger, response.StatusCode, key.Method);
        }
    }
}
