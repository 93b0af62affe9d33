using System.Collections.Frozen;
using System.Net;
using Microsoft.Extensions.Logging;
using Parley.Server.Diagnostics;
using Parley.Server.Directory;
using Parley.Server.Federation.Inbound;
using Parley.Server.Management;
using Parley.Server.Sip.Messaging;
using Parley.Server.Xmpp.C2s;
using Parley.Sip.Dialogs;
using Parley.Sip.Messages;
using Parley.Sip.Parsing;
using Parley.Sip.Proxy;
using Parley.Sip.Transactions;
using Parley.Sip.Transport;
using Parley.Xmpp.Addressing;

namespace Parley.Server.Sip.Core;

/// <summary>
/// The UAS core (RFC 3261 §8.2): checks every new request in order (Max-Forwards 483, loop 482, domain served 404,
/// method 405 with Allow), answers OPTIONS itself, authenticates requests from this server's users (digest), and
/// hands the request to the <see cref="ISipRequestHandler"/> of its method. Handlers run off the transport's read
/// loop, so they may wait on other parties; a handler that throws is answered 500.
/// <para>
/// A request inside a dialog Parley holds (To tag; any method but REGISTER and PUBLISH, which never belong to one) is
/// not challenged, as Kamailio's default configuration does not challenge in-dialog requests: it is attributed to the
/// user who authenticated when the dialog was created (<see cref="IDialogOwnership"/>), provided its From is still
/// that user (403 otherwise) and the account is still enabled (403). A To tag matching no dialog is answered 481
/// without a challenge, so a forged or stale tag learns nothing and costs no digest work.
/// </para>
/// </summary>
public sealed class SipRequestDispatcher : ITransactionUser, IDisposable
{
    private readonly FrozenDictionary<string, ISipRequestHandler> _handlers;
    private readonly DigestAuthenticator _authenticator;
    private readonly IDeploymentSettings _settings;
    private readonly SipStack _stack;
    private readonly ImSessions _imSessions;
    private readonly IDialogOwnership[] _dialogs;
    private readonly IUserDirectory _directory;
    private readonly PeerRequestScreen _peerRequests;
    private readonly IEventLog _events;
    private readonly SessionTerminations _background;
    private readonly ILogger<SipRequestDispatcher> _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly string _allow;
    private readonly int _maxInProgress;
    private readonly int _inDialogReserve;
    private readonly int _overloadOverAt;
    private int _inProgress;
    private int _overloadReported;

    public SipRequestDispatcher(IEnumerable<ISipRequestHandler> handlers, DigestAuthenticator authenticator, IDeploymentSettings settings, SipStack stack,
        ImSessions imSessions, IEnumerable<IDialogOwnership> dialogs, IUserDirectory directory, PeerRequestScreen peerRequests, SipServerOptions options,
        IEventLog events, SessionTerminations background, ILogger<SipRequestDispatcher> logger)
    {
        var byMethod = new Dictionary<string, ISipRequestHandler>(StringComparer.Ordinal);
        foreach (var handler in handlers)
        {
            foreach (var method in handler.Methods)
            {
                if (!byMethod.TryAdd(method, handler))
                {
                    throw new InvalidOperationException($"Internal error: two SIP handlers for {method} ({byMethod[method].GetType().Name} and {handler.GetType().Name}).");
                }
            }
        }

        _handlers = byMethod.ToFrozenDictionary(StringComparer.Ordinal);
        _authenticator = authenticator;
        _settings = settings;
        _stack = stack;
        _imSessions = imSessions;
        _dialogs = [.. dialogs];
        _directory = directory;
        _peerRequests = peerRequests;
        _events = events;
        _background = background;
        _logger = logger;
        ServerHeader = options.ProductToken;
        _maxInProgress = options.MaxConcurrentRequests;
        _inDialogReserve = options.InDialogReserve;
        _overloadOverAt = Math.Max(1, _maxInProgress / 2);
        // ACK and CANCEL are handled by the transaction layer and dialogs; OPTIONS here.
        _allow = string.Join(", ", byMethod.Keys.Append(SipMethods.Ack).Append(SipMethods.Cancel).Append(SipMethods.Options).Distinct().Order(StringComparer.Ordinal));
    }

    /// <summary>The Server header value of every response.</summary>
    public string ServerHeader { get; }

    /// <summary>The methods served, as sent in Allow.</summary>
    public string Allow => _allow;

    public ValueTask OnRequestAsync(ServerTransaction transaction, CancellationToken ct)
    {
        var inProgress = Interlocked.Increment(ref _inProgress);
        if (inProgress > _maxInProgress && (inProgress > _maxInProgress + _inDialogReserve || !IsInDialog(transaction.Request)))
        {
            Interlocked.Decrement(ref _inProgress);
            return RefuseOverloadedAsync(transaction);
        }

        if (inProgress <= _overloadOverAt && Volatile.Read(ref _overloadReported) != 0)
        {
            // The episode is over once the load has clearly receded (not merely dipped under the limit, which a node at
            // its limit does between every two refusals): the next refusal is reported again.
            Interlocked.Exchange(ref _overloadReported, 0);
        }

        _background.Track(ProcessCountedAsync(transaction));
        return ValueTask.CompletedTask;
    }

    /// <summary>Requests being handled now (tests and diagnostics).</summary>
    public int InProgress => Volatile.Read(ref _inProgress);

    private async Task ProcessCountedAsync(ServerTransaction transaction)
    {
        try
        {
            await ProcessAsync(transaction).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _inProgress);
        }
    }

    private static bool IsInDialog(SipRequest request) => request.TryGetTo(out var to) && to.Tag is not null;

    private async ValueTask RefuseOverloadedAsync(ServerTransaction transaction)
    {
        // Once per overload episode: a flood must not turn into a flood of events.
        if (Interlocked.Exchange(ref _overloadReported, 1) == 0)
        {
            _events.Raise(ParleyEvents.Sip.Overloaded, _maxInProgress, transaction.Source.Remote);
        }

        if (transaction.Request.Method != SipMethods.Ack)
        {
            await TryRespondAsync(transaction, 503, "Overloaded", response => response.Headers.Set(SipHeaderNames.RetryAfter, "1")).ConfigureAwait(false);
        }
    }

    public async ValueTask OnStrayAckAsync(SipRequest ack, SipSource source, CancellationToken ct)
    {
        if (_peerRequests.IsActive && await _peerRequests.TryRelayRoutedAckAsync(ack, source, ct).ConfigureAwait(false))
        {
            return; // An ACK passing through the routing node.
        }

        _imSessions.OnAck(ack);
    }

    // IM INVITEs are answered at once, so the layer's 487 is right for them; an INVITE the routing node forwarded waits
    // for the next hop's answer to the CANCEL it forwards.
    public ValueTask<CancelHandling> OnCancelAsync(ServerTransaction cancelled, CancellationToken ct)
        => ValueTask.FromResult(_peerRequests.IsActive ? _peerRequests.Cancel(cancelled) : CancelHandling.AnswerRequestTerminated);

    /// <summary>Stops handing requests to handlers (node shutdown); running ones see their token cancelled.</summary>
    public void Stop() => _stopping.Cancel();

    public void Dispose() => _stopping.Dispose();

    private async Task ProcessAsync(ServerTransaction transaction)
    {
        var request = transaction.Request;
        var cancellationToken = _stopping.Token;
        try
        {
            await DispatchAsync(transaction, request, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await TryRespondAsync(transaction, 503, "Server shutting down").ConfigureAwait(false);
        }
        catch (SipParseException ex)
        {
            // A header the handler needed is malformed (typed getters parse on demand).
            await TryRespondAsync(transaction, 400, ex.Detail).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            SipLog.HandlerFailed(_logger, request.Method, transaction.Source.ToString(), ex);
            await TryRespondAsync(transaction, 500, null).ConfigureAwait(false);
        }
    }

    private async Task DispatchAsync(ServerTransaction serverTransaction, SipRequest request, CancellationToken cancellationToken)
    {
        var transaction = new SipServerRequest(serverTransaction, null, ServerHeader);
        var isOptions = request.Method == SipMethods.Options;
        if (LoopDetection.HopsExhausted(request) && !isOptions)
        {
            await RespondAsync(transaction, 483, null, null, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (LoopDetection.Check(request, _stack.Transport.LocalHost(transaction.Source.Transport), _stack.Transport.LocalPort(transaction.Source.Transport)) == LoopCheck.Loop)
        {
            _events.Raise(ParleyEvents.Sip.LoopDetected, request.RequestUri, transaction.Source.Remote, request.TopVia.Branch);
            await RespondAsync(transaction, 482, null, null, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (_peerRequests.IsActive && await _peerRequests.TryRelayRoutedAsync(transaction, cancellationToken).ConfigureAwait(false))
        {
            return; // In a dialog through the routing node: relayed to the next hop.
        }

        var targetDomain = request.Method == SipMethods.Register ? request.To.Uri.Host : request.RequestUri.Host;
        if (!IsServed(targetDomain, transaction.Source.Transport))
        {
            _events.Raise(ParleyEvents.Sip.DomainNotServed, targetDomain, transaction.Source.Remote, request.Method);
            if (_peerRequests.IsActive)
            {
                await _peerRequests.ReportUnhostedDomainAsync(transaction, targetDomain).ConfigureAwait(false);
            }

            await RespondAsync(transaction, 404, "Domain not served here", null, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (isOptions)
        {
            await RespondAsync(transaction, 200, null, response =>
            {
                response.Headers.Set(SipHeaderNames.Allow, _allow);
                response.Headers.Set(SipHeaderNames.Accept, $"{InstantMessageContent.AcceptedTypes}, application/sdp, application/pidf+xml");
                // No option tags yet (RFC 3261 §20.37: an empty Supported says so); outbound/path come with federation.
                response.Headers.Set(SipHeaderNames.Supported, string.Empty);
            }, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (!_handlers.TryGetValue(request.Method, out var handler))
        {
            await RespondAsync(transaction, 405, null, response => response.Headers.Set(SipHeaderNames.Allow, _allow), cancellationToken).ConfigureAwait(false);
            return;
        }

        if (request.To.Tag is not null && request.Method is not (SipMethods.Register or SipMethods.Publish))
        {
            if (await AttributeToDialogOwnerAsync(transaction, cancellationToken).ConfigureAwait(false) is not { } owned)
            {
                return; // No such dialog (481) or not its owner (403): answered.
            }

            await HandleAsync(handler, owned, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (_peerRequests.IsActive)
        {
            // Federation: the peer's users are taken without a challenge; loops and REGISTER from the peer are refused.
            var screened = await _peerRequests.ScreenAsync(transaction, cancellationToken).ConfigureAwait(false);
            if (screened.Answered)
            {
                return;
            }

            if (screened.PeerRequest is { } peerRequest)
            {
                await HandleAsync(handler, peerRequest, cancellationToken).ConfigureAwait(false);
                return;
            }
        }

        if (SipAddressMapping.TryToJid(request.From.Uri, out var from) && _settings.Current.HostsDomain(from.Domain))
        {
            if (await _authenticator.AuthenticateAsync(transaction, from, cancellationToken).ConfigureAwait(false) is not { } user)
            {
                return; // Challenged or refused: the authenticator answered.
            }

            transaction = transaction.WithUser(user);
        }

        await HandleAsync(handler, transaction, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs the handler here (the receiving thread, up to its first wait) unless it writes to the store first.</summary>
    private static async ValueTask HandleAsync(ISipRequestHandler handler, SipServerRequest transaction, CancellationToken cancellationToken)
    {
        if (handler.WritesToStore)
        {
            await Task.Yield();
        }

        await handler.HandleAsync(transaction, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The in-dialog request as sent by the dialog's owner, or null once answered: 481 when no holder knows the dialog,
    /// 403 when its From is not the owner (the IdentityMismatch event, as for a digest user who is not the From user)
    /// or the owner's account is disabled or gone since.
    /// </summary>
    private async ValueTask<SipServerRequest?> AttributeToDialogOwnerAsync(SipServerRequest transaction, CancellationToken cancellationToken)
    {
        var request = transaction.Request;
        var dialog = DialogId.ForIncoming(request);
        DialogParty? owner = null;
        foreach (var holder in _dialogs)
        {
            if ((owner = holder.OwnerOf(dialog)) is not null)
            {
                break;
            }
        }

        if (owner is null)
        {
            await RespondAsync(transaction, SipStatusCodes.CallOrTransactionDoesNotExist, null, null, cancellationToken).ConfigureAwait(false);
            return null;
        }

        if (!SipAddressMapping.TryToJid(request.From.Uri, out var from) || from.Bare != owner.User.Bare)
        {
            _events.Raise(ParleyEvents.Sip.IdentityMismatch, owner.User, request.From.Uri, transaction.Source);
            await RespondAsync(transaction, SipStatusCodes.Forbidden, "From does not match the party of this dialog", null, cancellationToken).ConfigureAwait(false);
            return null;
        }

        if (owner.IsPeer)
        {
            return transaction.WithPeer(owner.User.Bare);
        }

        // The dialog outlives the digest that opened it: a disabled account must not keep talking through it.
        if (await _directory.FindUserAsync(owner.User.Bare, cancellationToken).ConfigureAwait(false) is not { Enabled: true })
        {
            await RespondAsync(transaction, SipStatusCodes.Forbidden, "Account disabled", null, cancellationToken).ConfigureAwait(false);
            return null;
        }

        return transaction.WithUser(owner.User.Bare);
    }

    /// <summary>A hosted domain, or this node itself (an address or the advertised name: requests inside a dialog target our Contact).</summary>
    private bool IsServed(string host, SipTransportKind transport)
        => _settings.Current.HostsDomain(host.ToLowerInvariant())
           || IPAddress.TryParse(host, out _)
           || string.Equals(host, _stack.Transport.LocalHost(transport), StringComparison.OrdinalIgnoreCase);

    private ValueTask RespondAsync(SipServerRequest transaction, int status, string? reason, Action<SipResponse>? decorate, CancellationToken cancellationToken)
    {
        SipLog.Answered(_logger, transaction.Request.Method, transaction.Source.ToString(), status);
        return transaction.RespondAsync(status, reason, decorate, cancellationToken);
    }

    /// <summary>A last-resort answer; nothing when the handler already sent a final response.</summary>
    private async Task TryRespondAsync(ServerTransaction transaction, int status, string? reason, Action<SipResponse>? decorate = null)
    {
        if (transaction.HasFinalResponse)
        {
            return;
        }

        try
        {
            await RespondAsync(new SipServerRequest(transaction, null, ServerHeader), status, reason, decorate, CancellationToken.None).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // A final response raced this one.
        }
    }
}
