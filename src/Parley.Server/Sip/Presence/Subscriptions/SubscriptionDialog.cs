using Parley.Sip.Messages;

namespace Parley.Server.Sip.Presence.Subscriptions;

/// <summary>
/// The notifier's half of a SUBSCRIBE dialog (RFC 3261 §12.1.1, RFC 6665 §4.2.1): identifiers, sequence numbers,
/// route set and remote target, all restorable from storage so NOTIFYs after a restart continue the same dialog
/// with a higher CSeq. Not thread-safe: the owning <see cref="SipSubscription"/> serialises access.
/// </summary>
/// <remarks>
/// Parley.Sip's <c>Dialog</c> cannot be rebuilt from storage (its state comes only from a request/response pair and
/// its local CSeq starts at 0), which a persisted subscription needs; hence this notifier-only dialog.
/// </remarks>
public sealed class SubscriptionDialog
{
    public SubscriptionDialog(string callId, string localTag, string remoteTag, uint localSequence, uint remoteSequence,
        NameAddress localParty, NameAddress remoteParty, SipUri remoteTarget, IReadOnlyList<NameAddress> routeSet, bool isSecure)
    {
        ArgumentException.ThrowIfNullOrEmpty(callId);
        ArgumentException.ThrowIfNullOrEmpty(localTag);
        ArgumentException.ThrowIfNullOrEmpty(remoteTag);
        CallId = callId;
        LocalTag = localTag;
        RemoteTag = remoteTag;
        LocalSequence = localSequence;
        RemoteSequence = remoteSequence;
        LocalParty = localParty;
        RemoteParty = remoteParty;
        RemoteTarget = remoteTarget;
        RouteSet = routeSet;
        IsSecure = isSecure;
    }

    public string CallId { get; }

    /// <summary>Our tag: the To tag of our responses and the From tag of our NOTIFYs.</summary>
    public string LocalTag { get; }

    /// <summary>The watcher's From tag.</summary>
    public string RemoteTag { get; }

    /// <summary>CSeq of the last NOTIFY sent (0 before the first).</summary>
    public uint LocalSequence { get; private set; }

    /// <summary>CSeq of the last SUBSCRIBE accepted in this dialog.</summary>
    public uint RemoteSequence { get; private set; }

    /// <summary>The presentity as the watcher addressed it (the SUBSCRIBE's To, without tag).</summary>
    public NameAddress LocalParty { get; }

    /// <summary>The watcher (the SUBSCRIBE's From, without tag).</summary>
    public NameAddress RemoteParty { get; }

    /// <summary>Where NOTIFYs are addressed: the watcher's Contact, updated by refreshes (target refresh, RFC 6665 §4.1.2.1).</summary>
    public SipUri RemoteTarget { get; private set; }

    /// <summary>Record-Route of the initial SUBSCRIBE, in order (§12.1.1); fixed for the dialog's life.</summary>
    public IReadOnlyList<NameAddress> RouteSet { get; }

    public bool IsSecure { get; }

    /// <summary>
    /// The dialog a SUBSCRIBE creates (§12.1.1): the caller has checked it has a From tag and a usable Contact.
    /// Null when it does not, so the caller answers 400.
    /// </summary>
    public static SubscriptionDialog? CreateAsNotifier(SipRequest subscribe, string localTag, bool isSecure)
    {
        if (!subscribe.TryGetFrom(out var from) || from.Tag is not { Length: > 0 } remoteTag
            || !subscribe.TryGetTo(out var to) || !subscribe.TryGetCallId(out var callId) || !subscribe.TryGetCSeq(out var cseq)
            || TargetOf(subscribe) is not { } target)
        {
            return null;
        }

        var routes = new List<NameAddress>();
        foreach (var value in subscribe.Headers.GetValues(SipHeaderNames.RecordRoute))
        {
            if (!NameAddress.TryParse(value, out var route))
            {
                return null;
            }

            routes.Add(route);
        }

        return new SubscriptionDialog(callId, localTag, remoteTag, 0, cseq.Number, WithoutTag(to), WithoutTag(from), target, routes, isSecure);
    }

    /// <summary>The single Contact URI of a request (RFC 6665 §4.1.2.1 requires exactly one in SUBSCRIBE), or null.</summary>
    public static SipUri? TargetOf(SipRequest request)
    {
        var contacts = request.Headers.GetValues(SipHeaderNames.Contact);
        return contacts.Count == 1 && NameAddress.TryParse(contacts[0], out var contact) && contact.Uri.IsSip ? contact.Uri : null;
    }

    /// <summary>RFC 3261 §12.2.2: a request in the dialog with a lower CSeq than the last one is out of order.</summary>
    public bool AcceptRemoteSequence(uint cseq)
    {
        if (cseq < RemoteSequence)
        {
            return false;
        }

        RemoteSequence = cseq;
        return true;
    }

    public void RefreshTarget(SipUri target) => RemoteTarget = target;

    /// <summary>
    /// Lets the local CSeq continue past what was used before a restart: storage records it only every so often,
    /// and <paramref name="sequence"/> is beyond anything sent since.
    /// </summary>
    public void SkipLocalSequenceTo(uint sequence) => LocalSequence = Math.Max(LocalSequence, sequence);

    /// <summary>
    /// A new request in the dialog (§12.2.1.1): Request-URI and Route from the route set (loose or strict routing),
    /// From with our tag, To with theirs, the Call-ID, and the next CSeq.
    /// </summary>
    public SipRequest CreateRequest(string method)
    {
        SipUri requestUri;
        var routes = new List<NameAddress>(RouteSet.Count + 1);
        if (RouteSet.Count == 0 || RouteSet[0].Uri.Parameters.Contains("lr"))
        {
            requestUri = RemoteTarget.Clone();
            routes.AddRange(RouteSet);
        }
        else
        {
            // Strict routing (RFC 2543 proxies): the first route becomes the Request-URI, the target goes last.
            requestUri = RouteSet[0].Uri.Clone();
            requestUri.Headers = null; // §12.2.1.1: no header parameters in a Request-URI.
            routes.AddRange(RouteSet.Skip(1));
            routes.Add(new NameAddress(RemoteTarget.Clone()));
        }

        var request = SipRequest.Create(method, requestUri);
        var from = LocalParty.Clone();
        from.Tag = LocalTag;
        var to = RemoteParty.Clone();
        to.Tag = RemoteTag;
        request.From = from;
        request.To = to;
        request.CallId = CallId;
        LocalSequence++;
        request.CSeq = new CSeqHeader(LocalSequence, method);
        foreach (var route in routes)
        {
            request.Headers.Add(SipHeaderNames.Route, route.ToString());
        }

        return request;
    }

    private static NameAddress WithoutTag(NameAddress address)
    {
        var copy = address.Clone();
        copy.Tag = null;
        return copy;
    }
}
