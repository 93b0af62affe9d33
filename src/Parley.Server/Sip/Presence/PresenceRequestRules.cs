using System.Globalization;
using Parley.Server.Sip.Presence.Pidf;
using Parley.Sip.Messages;

namespace Parley.Server.Sip.Presence;

/// <summary>A request refused before any state changed: status, reason phrase, and the header that tells the client what would work.</summary>
public sealed record PresenceRefusal(int Status, string Reason, string? HeaderName = null, string? HeaderValue = null)
{
    public void Decorate(SipResponse response)
    {
        if (HeaderName is not null && HeaderValue is not null)
        {
            response.Headers.Set(HeaderName, HeaderValue);
        }
    }
}

/// <summary>Checks SUBSCRIBE and PUBLISH share: the event package (RFC 6665 §8.2.1) and the requested duration.</summary>
public static class PresenceRequestRules
{
    public const string EventPackage = "presence";

    /// <summary>
    /// The Event header names the presence package; <paramref name="eventId"/> gets its id parameter. Otherwise a 489
    /// refusal listing the one package served (RFC 6665 §4.1.3 / RFC 3903 §6 step 2).
    /// </summary>
    public static PresenceRefusal? CheckEvent(SipRequest request, out string? eventId)
    {
        eventId = null;
        var value = request.Headers[SipHeaderNames.Event]?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            return new PresenceRefusal(SipStatusCodes.BadEvent, "Event header missing", SipHeaderNames.AllowEvents, EventPackage);
        }

        var parts = value.Split(';', StringSplitOptions.TrimEntries);
        if (!string.Equals(parts[0], EventPackage, StringComparison.OrdinalIgnoreCase))
        {
            return new PresenceRefusal(SipStatusCodes.BadEvent, "Bad Event", SipHeaderNames.AllowEvents, EventPackage);
        }

        foreach (var parameter in parts.Skip(1))
        {
            var equals = parameter.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && parameter[..equals].Trim().Equals("id", StringComparison.OrdinalIgnoreCase))
            {
                eventId = parameter[(equals + 1)..].Trim();
            }
        }

        return null;
    }

    /// <summary>
    /// The duration granted: the default when Expires is absent, zero when it is 0 (unsubscribe, fetch, removal), the
    /// maximum when more is asked; 423 with Min-Expires below the minimum, 400 when the header is not a number.
    /// </summary>
    public static PresenceRefusal? CheckExpires(SipRequest request, SipPresenceOptions options, out TimeSpan granted)
    {
        granted = options.DefaultExpires;
        var text = request.Headers[SipHeaderNames.Expires];
        if (text is null)
        {
            return null;
        }

        // RFC 3261 §20.19: delta-seconds; a number too large for any counter is simply "as long as allowed".
        var span = text.AsSpan().Trim();
        if (span.IsEmpty || span.ContainsAnyExceptInRange('0', '9'))
        {
            return new PresenceRefusal(SipStatusCodes.BadRequest, "Malformed Expires");
        }

        var seconds = ulong.TryParse(span, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : ulong.MaxValue;
        return Clamp(seconds, options, out granted);
    }

    /// <summary>The body is PIDF (Content-Type application/pidf+xml, parameters ignored), else 415 with Accept.</summary>
    public static PresenceRefusal? CheckPidfContentType(SipRequest request)
    {
        var type = request.ContentType?.Split(';')[0].Trim();
        return string.Equals(type, PidfNamespaces.MediaType, StringComparison.OrdinalIgnoreCase)
            ? null
            : new PresenceRefusal(SipStatusCodes.UnsupportedMediaType, "Unsupported Media Type", SipHeaderNames.Accept, PidfNamespaces.MediaType);
    }

    private static PresenceRefusal? Clamp(ulong seconds, SipPresenceOptions options, out TimeSpan granted)
    {
        granted = TimeSpan.Zero;
        if (seconds == 0)
        {
            return null;
        }

        var min = (ulong)options.MinExpires.TotalSeconds;
        if (seconds < min)
        {
            return new PresenceRefusal(SipStatusCodes.IntervalTooBrief, "Interval Too Brief", SipHeaderNames.MinExpires, min.ToString(CultureInfo.InvariantCulture));
        }

        var max = (ulong)options.MaxExpires.TotalSeconds;
        granted = TimeSpan.FromSeconds(Math.Min(seconds, max));
        return null;
    }
}
