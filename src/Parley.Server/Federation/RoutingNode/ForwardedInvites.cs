using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Parley.Server.Sip;
using Parley.Server.Sip.Core;
using Parley.Sip.Messages;
using Parley.Sip.Transactions;
using Parley.Sip.Transport;

namespace Parley.Server.Federation.RoutingNode;

/// <summary>
/// The INVITEs the routing node forwarded that have no final response yet, so a CANCEL from upstream can follow them
/// (RFC 3261 §16.10): the CANCEL is answered 200 by the transaction layer, sent on to the next hop once that hop has
/// answered provisionally (§9.1 forbids it earlier), and the next hop's final response (its 487) is relayed as the
/// INVITE's answer. If the next hop never answers, the forward is given up after 64×T1 and answered 487 here.
/// </summary>
public sealed class ForwardedInvites(SipStack stack, SipServerOptions options, ILogger<ForwardedInvites> logger)
{
    private readonly ConcurrentDictionary<ServerTransaction, ForwardedInvite> _pending = new(ReferenceEqualityComparer.Instance);

    /// <summary>Registers an INVITE about to be forwarded; dispose the result when the forward has its final response.</summary>
    public ForwardedInvite Track(ServerTransaction upstream, SipRequest outgoing, SipDestination next)
    {
        var invite = new ForwardedInvite(this, upstream, outgoing, next);
        _pending[upstream] = invite;
        return invite;
    }

    /// <summary>A CANCEL matched <paramref name="upstream"/>: forwards it when that INVITE was forwarded by this node.</summary>
    public CancelHandling Cancel(ServerTransaction upstream)
    {
        if (!_pending.TryGetValue(upstream, out var invite))
        {
            return CancelHandling.AnswerRequestTerminated;
        }

        _ = CancelDownstreamAsync(invite);
        return CancelHandling.FinalResponseFollows;
    }

    private async Task CancelDownstreamAsync(ForwardedInvite invite)
    {
        try
        {
            if (await Task.WhenAny(invite.ProvisionalReceived, invite.Finished).ConfigureAwait(false) == invite.Finished)
            {
                return; // Answered finally before the next hop ever sent a provisional: nothing left to cancel.
            }

            invite.GiveUpAfter(options.Timers.TransactionTimeout);
            var cancel = CancelRequest.For(invite.Outgoing);
            var response = await stack.Transactions.SendRequestAsync(cancel, invite.Next, ct: CancellationToken.None).ConfigureAwait(false);
            RoutingLog.CancelForwarded(logger, invite.Next.EndPoint.ToString(), response.StatusCode);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The give-up timer still ends the INVITE with a 487.
            RoutingLog.CancelNotForwarded(logger, invite.Next.EndPoint.ToString(), ex);
        }
    }

    private void Remove(ServerTransaction upstream) => _pending.TryRemove(upstream, out _);

    /// <summary>One forwarded INVITE: whether the next hop answered provisionally, and a token that gives up on it.</summary>
    public sealed class ForwardedInvite : IDisposable
    {
        private readonly ForwardedInvites _owner;
        private readonly ServerTransaction _upstream;
        private readonly TaskCompletionSource _provisional = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly CancellationTokenSource _giveUp = new();

        internal ForwardedInvite(ForwardedInvites owner, ServerTransaction upstream, SipRequest outgoing, SipDestination next)
        {
            _owner = owner;
            _upstream = upstream;
            Outgoing = outgoing;
            Next = next;
        }

        public SipRequest Outgoing { get; }

        public SipDestination Next { get; }

        /// <summary>Cancelled when a forwarded CANCEL got no final response to the INVITE in time.</summary>
        public CancellationToken GiveUp => _giveUp.Token;

        internal Task ProvisionalReceived => _provisional.Task;

        internal Task Finished => _finished.Task;

        public void OnProvisional() => _provisional.TrySetResult();

        internal void GiveUpAfter(TimeSpan delay)
        {
            try
            {
                _giveUp.CancelAfter(delay);
            }
            catch (ObjectDisposedException)
            {
                // Finished meanwhile.
            }
        }

        public void Dispose()
        {
            _owner.Remove(_upstream);
            _finished.TrySetResult();
            _giveUp.Dispose();
        }
    }
}
