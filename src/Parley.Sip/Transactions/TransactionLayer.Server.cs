using Parley.Sip.Messages;
using Parley.Sip.Parsing;
using Parley.Sip.Transport;

namespace Parley.Sip.Transactions;

/// <summary>Received requests: ACK absorption, retransmissions, new server transactions and CANCEL.</summary>
public sealed partial class TransactionLayer
{
    private async ValueTask OnRequestAsync(SipRequest request, SipSource source, CancellationToken ct)
    {
        if (!request.TryGetTopVia(out var via) || !request.TryGetCSeq(out _))
        {
            Log.Unmatchable(Logger, source.ToString());
            return;
        }

        if (request.Method == SipMethods.Ack)
        {
            var inviteKey = TransactionKey.ForServer(request, via, SipMethods.Invite);
            if (!_server.TryGetValue(inviteKey, out var invite) || !invite.OnAck())
            {
                await User.OnStrayAckAsync(request, source, ct).ConfigureAwait(false);
            }

            return;
        }

        var key = TransactionKey.ForServer(request, via, request.Method);
        if (_server.TryGetValue(key, out var existing))
        {
            await existing.OnRetransmissionAsync(ct).ConfigureAwait(false);
            return;
        }

        if (_absorbed.TryGet(key, out var absorbed))
        {
            await ResendAsync(absorbed, key, source, ct).ConfigureAwait(false);
            return;
        }

        var transaction = new ServerTransaction(this, key, request, source);
        if (!_server.TryAdd(key, transaction))
        {
            // The same request arrived twice at once (two UDP workers): the other copy owns the transaction.
            if (_server.TryGetValue(key, out existing))
            {
                await existing.OnRetransmissionAsync(ct).ConfigureAwait(false);
            }

            return;
        }

        if (request.Method == SipMethods.Cancel)
        {
            await OnCancelAsync(transaction, via, ct).ConfigureAwait(false);
            return;
        }

        if (transaction.IsInvite)
        {
            // §17.2.1: 100 Trying at once stops the client's timer A retransmissions.
            await transaction.RespondAsync(SipResponse.CreateFor(request, SipStatusCodes.Trying), ct).ConfigureAwait(false);
        }

        try
        {
            await User.OnRequestAsync(transaction, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A header the user needed but could not parse is the client's fault (400...); anything else is ours.
            var status = ex is SipParseException malformed ? malformed.StatusCode : SipStatusCodes.ServerInternalError;
            if (ex is not SipParseException)
            {
                Log.UserFailed(Logger, request.Method, key.Branch, ex);
            }

            await transaction.TryRespondFinalAsync(SipResponse.CreateFor(request, status, toTag: Tokens.NewTag()), ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A retransmitted request of a completed non-INVITE (timer J): its final response again. It goes to where the
    /// retransmission came from, the same client as the original: §18.2.2 takes the target from the response's top Via
    /// (received, rport) and the source the request arrived from, so the original source need not be kept.
    /// </summary>
    private async ValueTask ResendAsync(SipResponse absorbed, TransactionKey key, SipSource source, CancellationToken ct)
    {
        try
        {
            await Transport.SendResponseAsync(absorbed, source, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsTransportFailure(ex))
        {
            Log.TransportError(Logger, key.Method, key.Branch, ex);
        }
    }

    /// <summary>
    /// RFC 3261 §9.2: a CANCEL matching an INVITE server transaction is answered 200 and, while the INVITE has no final
    /// response, the TU is told and the INVITE answered 487 (unless the TU, a proxy, relays the final response itself);
    /// a CANCEL matching nothing gets 481.
    /// </summary>
    private async ValueTask OnCancelAsync(ServerTransaction cancel, ViaHeader via, CancellationToken ct)
    {
        var inviteKey = TransactionKey.ForServer(cancel.Request, via, SipMethods.Invite);
        if (!_server.TryGetValue(inviteKey, out var invite))
        {
            await cancel.RespondAsync(SipResponse.CreateFor(cancel.Request, SipStatusCodes.CallOrTransactionDoesNotExist, toTag: Tokens.NewTag()), ct).ConfigureAwait(false);
            return;
        }

        var toTag = invite.ToTag ?? Tokens.NewTag();
        await cancel.RespondAsync(SipResponse.CreateFor(cancel.Request, SipStatusCodes.Ok, toTag: toTag), ct).ConfigureAwait(false);
        if (invite.HasFinalResponse)
        {
            return;
        }

        var handling = CancelHandling.AnswerRequestTerminated;
        try
        {
            handling = await User.OnCancelAsync(invite, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.UserFailed(Logger, SipMethods.Cancel, inviteKey.Branch, ex);
        }

        if (handling == CancelHandling.FinalResponseFollows)
        {
            return;
        }

        await invite.TryRespondFinalAsync(SipResponse.CreateFor(invite.Request, SipStatusCodes.RequestTerminated, toTag: invite.ToTag ?? toTag), ct).ConfigureAwait(false);
    }
}
