using System.Globalization;
using Parley.Server.Diagnostics;
using Parley.Server.Presence.Availability;
using Parley.Server.Sip.Core;
using Parley.Server.Sip.Presence.Pidf;
using Parley.Sip.Messages;

namespace Parley.Server.Sip.Presence.Publications;

/// <summary>
/// PUBLISH for the presence event (RFC 3903 §6 with RFC 3856): initial publication with a PIDF body, refresh
/// (SIP-If-Match, no body), modification (SIP-If-Match and a body) and removal (SIP-If-Match, Expires 0); 412 for an
/// unknown entity tag, 489 for another event package, 423 below the minimum duration. Only the user themself may
/// publish their presence.
/// </summary>
public sealed class PublishHandler(SipPublications publications, PidfReader reader, SipPresenceOptions options, IEventLog events) : ISipRequestHandler
{
    public IReadOnlyCollection<string> Methods { get; } = [SipMethods.Publish];

    /// <summary>A publication is persisted.</summary>
    public bool WritesToStore => true;

    public async ValueTask HandleAsync(SipServerRequest request, CancellationToken cancellationToken)
    {
        var message = request.Request;
        if (request.User is not { } user)
        {
            await RefuseAsync(request, new PresenceRefusal(SipStatusCodes.Forbidden, "Publication needs authentication"), cancellationToken).ConfigureAwait(false);
            return;
        }

        if (PresenceRequestRules.CheckEvent(message, out _) is { } badEvent)
        {
            await RefuseAsync(request, badEvent, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (!SipAddressMapping.TryToJid(message.RequestUri, out var presentity) || presentity != user)
        {
            await RefuseAsync(request, new PresenceRefusal(SipStatusCodes.Forbidden, "You may publish only your own presence"), cancellationToken).ConfigureAwait(false);
            return;
        }

        if (PresenceRequestRules.CheckExpires(message, options, out var expires) is { } badExpires)
        {
            await RefuseAsync(request, badExpires, cancellationToken).ConfigureAwait(false);
            return;
        }

        var ifMatch = message.Headers[SipHeaderNames.SipIfMatch]?.Trim() is { Length: > 0 } tag ? tag : null;
        var hasBody = !message.Body.IsEmpty;
        if (ifMatch is null && (!hasBody || expires == TimeSpan.Zero))
        {
            // RFC 3903 §6 step 5: only an initial publication may lack SIP-If-Match, and it must carry state.
            await RefuseAsync(request, new PresenceRefusal(SipStatusCodes.BadRequest, "Initial PUBLISH needs a body and a non-zero Expires"), cancellationToken).ConfigureAwait(false);
            return;
        }

        PresenceState? state = null;
        if (hasBody && expires > TimeSpan.Zero)
        {
            if (PresenceRequestRules.CheckPidfContentType(message) is { } badType)
            {
                await RefuseAsync(request, badType, cancellationToken).ConfigureAwait(false);
                return;
            }

            try
            {
                state = SipPresenceMapping.ToState(reader.Read(message.Body.Span));
            }
            catch (PidfFormatException ex)
            {
                await RefuseAsync(request, new PresenceRefusal(SipStatusCodes.BadRequest, "Bad PIDF: " + ex.Message), cancellationToken).ConfigureAwait(false);
                return;
            }
        }

        var outcome = await publications.PublishAsync(user, ifMatch, state, expires, cancellationToken).ConfigureAwait(false);
        switch (outcome.Result)
        {
            case PublishResult.UnknownETag:
                await RefuseAsync(request, new PresenceRefusal(SipStatusCodes.ConditionalRequestFailed, "Conditional Request Failed"), cancellationToken).ConfigureAwait(false);
                break;
            case PublishResult.Removed:
                await request.RespondAsync(SipStatusCodes.Ok, decorate: response => response.Expires = 0, cancellationToken: cancellationToken).ConfigureAwait(false);
                break;
            default:
                var publication = outcome.Publication!;
                await request.RespondAsync(SipStatusCodes.Ok, decorate: response =>
                {
                    response.Headers.Set(SipHeaderNames.SipETag, publication.ETag);
                    response.Headers.Set(SipHeaderNames.Expires, ((long)expires.TotalSeconds).ToString(CultureInfo.InvariantCulture));
                }, cancellationToken: cancellationToken).ConfigureAwait(false);
                break;
        }
    }

    private async ValueTask RefuseAsync(SipServerRequest request, PresenceRefusal refusal, CancellationToken cancellationToken)
    {
        var message = request.Request;
        events.Raise(ParleyEvents.SipPresence.PublicationRejected, request.User?.ToString() ?? $"{(message.TryGetFrom(out var from) ? from.Uri.ToString() : "?")} at {request.Source.Remote}",
            message.RequestUri, refusal.Status, refusal.Reason);
        await request.RespondAsync(refusal.Status, refusal.Reason, refusal.Decorate, cancellationToken).ConfigureAwait(false);
    }
}
