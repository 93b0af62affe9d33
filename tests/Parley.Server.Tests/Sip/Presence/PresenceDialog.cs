using System.Globalization;
using System.Security.Cryptography;
using Parley.Server.Presence.Availability;
using Parley.Server.Sip.Presence;
using Parley.Server.Sip.Presence.Pidf;
using Parley.Server.Tests.Sip.Support;
using Parley.Server.Tests.Xmpp.Support;
using Parley.Sip.Messages;

namespace Parley.Server.Tests.Sip.Presence;

/// <summary>A NOTIFY as a watcher reads it: Subscription-State value and parameters, and the presence document if any.</summary>
public sealed record ReceivedNotify(SipRequest Request, string State, string? Reason, int? Expires, PidfDocument? Document)
{
    public PresenceState? Presence => Document is null ? null : SipPresenceMapping.ToState(Document);
}

/// <summary>The watcher side of one presence subscription made by a <see cref="SipTestClient"/>: SUBSCRIBE, refresh, NOTIFYs.</summary>
public sealed class PresenceDialog(SipTestClient client, TestAccount presentity, string callId)
{
    private static readonly PidfReader Reader = new(new PidfLimits());
    private uint _lastCSeq;

    public SipTestClient Client { get; } = client;

    public SipUri PresentityUri { get; } = new("sip", presentity.Local, presentity.Jid.Domain);

    public string CallId { get; } = callId;

    /// <summary>Parley's tag, from the 200.</summary>
    public string? RemoteTag { get; private set; }

    /// <summary>Parley's Contact, from the 200: the Request-URI of refreshes.</summary>
    public SipUri? RemoteTarget { get; private set; }

    public static PresenceDialog For(SipTestClient client, TestAccount presentity)
        => new(client, presentity, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)) + "@watcher");

    /// <summary>The initial SUBSCRIBE (authenticated); on 200 remembers the dialog.</summary>
    public async Task<SipResponse> SubscribeAsync(int? expires = 600, Action<SipRequest>? decorate = null)
    {
        var request = Client.CreateRequest(SipMethods.Subscribe, PresentityUri, callId: CallId);
        Decorate(request, expires);
        decorate?.Invoke(request);
        var response = await Client.SendAuthenticatedAsync(request);
        if (response.StatusCode == 200)
        {
            RemoteTag = response.To.Tag;
            RemoteTarget = NameAddress.Parse(response.Headers[SipHeaderNames.Contact]!).Uri;
        }

        return response;
    }

    /// <summary>A SUBSCRIBE inside the dialog: refresh, or with 0 an unsubscribe.</summary>
    public Task<SipResponse> RefreshAsync(int? expires)
    {
        var request = Client.CreateRequest(SipMethods.Subscribe, RemoteTarget ?? throw new InvalidOperationException("Not subscribed."), PresentityUri, CallId);
        request.To = new NameAddress(PresentityUri) { Tag = RemoteTag };
        Decorate(request, expires);
        return Client.SendAuthenticatedAsync(request);
    }

    /// <summary>
    /// The next NOTIFY of this dialog. Retransmissions (UDP, a CSeq already seen) are skipped as a user agent's
    /// transaction layer would absorb them: with the tests' 50 ms T1 a busy machine retransmits often.
    /// </summary>
    public async Task<ReceivedNotify> NextNotifyAsync()
    {
        while (true)
        {
            var request = await Client.ReceiveRequestAsync(SipMethods.Notify);
            if (request.CallId != CallId || request.CSeq.Number <= _lastCSeq)
            {
                continue; // Another dialog's NOTIFY (not expected by this test), or a retransmission.
            }

            _lastCSeq = request.CSeq.Number;
            return Read(request);
        }
    }

    /// <summary>Takes NOTIFYs until one matches (the state may go through intermediate documents).</summary>
    public async Task<ReceivedNotify> NotifyWhereAsync(Func<ReceivedNotify, bool> match)
    {
        var deadline = DateTime.UtcNow + SipTestClient.Timeout;
        while (true)
        {
            var notify = await NextNotifyAsync();
            if (match(notify))
            {
                return notify;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException($"No matching NOTIFY; last was {notify.State} {notify.Presence}");
            }
        }
    }

    public static ReceivedNotify Read(SipRequest notify)
    {
        Assert.Equal("presence", notify.Headers[SipHeaderNames.Event]?.Split(';')[0].Trim());
        var parts = notify.Headers[SipHeaderNames.SubscriptionState]!.Split(';', StringSplitOptions.TrimEntries);
        string? reason = null;
        int? expires = null;
        foreach (var parameter in parts.Skip(1))
        {
            var pair = parameter.Split('=', 2);
            if (pair[0] == "reason")
            {
                reason = pair[1];
            }
            else if (pair[0] == "expires")
            {
                expires = int.Parse(pair[1], CultureInfo.InvariantCulture);
            }
        }

        PidfDocument? document = null;
        if (!notify.Body.IsEmpty)
        {
            Assert.Equal(PidfNamespaces.MediaType, notify.ContentType);
            document = Reader.Read(notify.Body.Span);
        }

        return new ReceivedNotify(notify, parts[0], reason, expires, document);
    }

    private static void Decorate(SipRequest request, int? expires)
    {
        request.Headers.Set(SipHeaderNames.Event, "presence");
        request.Headers.Set(SipHeaderNames.Accept, PidfNamespaces.MediaType);
        if (expires is { } seconds)
        {
            request.Headers.Set(SipHeaderNames.Expires, seconds.ToString(CultureInfo.InvariantCulture));
        }
    }
}
