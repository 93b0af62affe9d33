using System.Globalization;
using System.Text;
using Parley.Server.Sip.Presence.Pidf;
using Parley.Server.Tests.Sip.Support;
using Parley.Sip.Messages;

namespace Parley.Server.Tests.Sip.Presence;

/// <summary>PUBLISH from a <see cref="SipTestClient"/> for its own address (RFC 3903).</summary>
public static class SipPublisher
{
    /// <summary>A PIDF document as a client writes it: one tuple, optionally an RPID activity and a note.</summary>
    public static byte[] Pidf(SipTestClient client, bool open = true, string? activity = null, string? note = null)
        => PidfWriter.Write(new PidfDocument(
            client.Aor.ToString(),
            [new PidfTuple("t1", open ? PidfBasic.Open : PidfBasic.Closed, client.Contact.ToString(), null, [])],
            activity is null && note is null ? null : new PidfPerson("p1", activity is null ? [] : [activity], note),
            null));

    public static Task<SipResponse> PublishAsync(this SipTestClient client, byte[]? body, int? expires = 600, string? ifMatch = null, SipUri? target = null, string contentType = PidfNamespaces.MediaType, string @event = "presence")
    {
        var uri = target ?? client.Aor;
        var request = client.CreateRequest(SipMethods.Publish, uri, callId: Guid.NewGuid().ToString("N") + "@publisher");
        request.Headers.Remove(SipHeaderNames.Contact);
        request.Headers.Set(SipHeaderNames.Event, @event);
        if (expires is { } seconds)
        {
            request.Headers.Set(SipHeaderNames.Expires, seconds.ToString(CultureInfo.InvariantCulture));
        }

        if (ifMatch is not null)
        {
            request.Headers.Set(SipHeaderNames.SipIfMatch, ifMatch);
        }

        if (body is not null)
        {
            request.ContentType = contentType;
            request.Body = body;
        }

        return client.SendAuthenticatedAsync(request);
    }

    public static string Text(byte[] body) => Encoding.UTF8.GetString(body);
}
