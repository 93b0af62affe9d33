using Parley.Sip.Messages;
using Parley.Sip.Parsing;

namespace Parley.Sip.Dialogs;

/// <summary>
/// Dialog state (RFC 3261 §12): id, local and remote sequence numbers, parties, remote target and route set, built
/// from the request and the response that created it, and the source of every in-dialog request we send.
/// </summary>
public sealed class Dialog
{
    private readonly Lock _gate = new();
    private uint _localSequence;
    private uint? _remoteSequence;
    private SipUri _remoteTarget;

    private Dialog(DialogId id, uint localSequence, uint? remoteSequence, NameAddress localParty, NameAddress remoteParty, SipUri remoteTarget, IReadOnlyList<NameAddress> routeSet, bool isSecure)
    {
        Id = id;
        _localSequence = localSequence;
        _remoteSequence = remoteSequence;
        LocalParty = localParty;
        RemoteParty = remoteParty;
        _remoteTarget = remoteTarget;
        RouteSet = routeSet;
        IsSecure = isSecure;
    }

    public DialogId Id { get; }

    /// <summary>The CSeq of the last request we sent in the dialog (0 before the first for a UAS: "empty").</summary>
    public uint LocalSequence
    {
        get
        {
            lock (_gate)
            {
                return _localSequence;
            }
        }
    }

    /// <summary>The highest CSeq received from the peer; null while empty (a UAC before the first in-dialog request).</summary>
    public uint? RemoteSequence
    {
        get
        {
            lock (_gate)
            {
                return _remoteSequence;
            }
        }
    }

    /// <summary>Our From (our tag) in requests we send.</summary>
    public NameAddress LocalParty { get; }

    /// <summary>Our To (their tag) in requests we send.</summary>
    public NameAddress RemoteParty { get; }

    /// <summary>The peer's Contact: the Request-URI of in-dialog requests (updated by target refreshes).</summary>
    public SipUri RemoteTarget
    {
        get
        {
            lock (_gate)
            {
                return _remoteTarget;
            }
        }
    }

    /// <summary>Record-Route, in the order our requests traverse it.</summary>
    public IReadOnlyList<NameAddress> RouteSet { get; }

    /// <summary>True when the dialog-creating Request-URI was sips (§12.1.1).</summary>
    public bool IsSecure { get; }

    /// <summary>
    /// §12.1.1: the UAS side of a dialog from the received request and the 2xx (or 1xx with a To tag) we answered it
    /// with. Route set = the request's Record-Route in order; remote target = the request's Contact. Throws
    /// <see cref="SipParseException"/> when the request lacks what a dialog needs (answer 400).
    /// </summary>
    public static Dialog CreateAsUas(SipRequest request, SipResponse response)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(response);
        var localTag = DialogTag(response);
        var remote = request.From;
        var local = response.To;
        var id = new DialogId(request.CallId, localTag, remote.Tag ?? string.Empty);
        return new Dialog(id, 0, request.CSeq.Number, local, remote, ContactOf(request), RouteSetOf(request, reverse: false), request.RequestUri.Scheme == "sips");
    }

    /// <summary>
    /// §12.1.2: the UAC side from the request we sent and the 2xx (or 1xx with a To tag) received. Route set = the
    /// response's Record-Route reversed; remote target = the response's Contact.
    /// </summary>
    public static Dialog CreateAsUac(SipRequest request, SipResponse response)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(response);
        var remoteTag = DialogTag(response);
        var local = request.From;
        var id = new DialogId(request.CallId, local.Tag ?? string.Empty, remoteTag);
        return new Dialog(id, request.CSeq.Number, null, local, response.To, ContactOf(response), RouteSetOf(response, reverse: true), request.RequestUri.Scheme == "sips");
    }

    /// <summary>
    /// §12.2.1.1: a request in this dialog, without Via (the transaction layer adds it) or Contact (the caller's).
    /// CSeq: ACK reuses the current number (it acknowledges the INVITE that has it); any other method takes the next.
    /// A loose-routing first route keeps the remote target as Request-URI; a strict router becomes the Request-URI and
    /// the remote target is appended as the last Route.
    /// </summary>
    public SipRequest CreateRequest(string method)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        if (method == SipMethods.Cancel)
        {
            throw new ArgumentException("A CANCEL is built from the INVITE it cancels (CancelRequest.For), not from the dialog.", nameof(method));
        }

        uint sequence;
        SipUri target;
        lock (_gate)
        {
            if (method != SipMethods.Ack)
            {
                _localSequence = _localSequence == 0 ? 1 : checked(_localSequence + 1);
            }

            sequence = _localSequence;
            target = _remoteTarget.Clone();
        }

        SipRequest request;
        var routes = new List<string>(RouteSet.Count + 1);
        if (RouteSet.Count == 0 || RouteSet[0].Uri.Parameters.Contains("lr"))
        {
            request = SipRequest.Create(method, target);
            foreach (var route in RouteSet)
            {
                routes.Add(route.ToString());
            }
        }
        else
        {
            var first = RouteSet[0].Uri.Clone();
            first.Headers = null; // §12.2.1.1: header parameters are not allowed in a Request-URI
            request = SipRequest.Create(method, first);
            for (var i = 1; i < RouteSet.Count; i++)
            {
                routes.Add(RouteSet[i].ToString());
            }

            routes.Add("<" + target + ">");
        }

        request.Headers.Add(SipHeaderNames.MaxForwards, "70");
        foreach (var route in routes)
        {
            request.Headers.Add(SipHeaderNames.Route, route);
        }

        request.Headers.Add(SipHeaderNames.From, LocalParty.ToString());
        request.Headers.Add(SipHeaderNames.To, RemoteParty.ToString());
        request.Headers.Add(SipHeaderNames.CallId, Id.CallId);
        request.CSeq = new CSeqHeader(sequence, method);
        return request;
    }

    /// <summary>
    /// §12.2.2: checks a received in-dialog request's CSeq. False when lower than the last one (answer 500);
    /// otherwise it becomes the remote sequence number.
    /// </summary>
    public bool AcceptRemoteSequence(uint cseq)
    {
        lock (_gate)
        {
            if (_remoteSequence is { } last && cseq < last)
            {
                return false;
            }

            _remoteSequence = cseq;
            return true;
        }
    }

    /// <summary>§12.2: a target refresh (re-INVITE, UPDATE, NOTIFY, or its 2xx) replaces the remote target with its Contact, when it has one.</summary>
    public void RefreshRemoteTarget(SipMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var contacts = message.Headers.GetValues(SipHeaderNames.Contact);
        if (contacts.Count > 0 && NameAddress.TryParse(contacts[0], out var contact))
        {
            lock (_gate)
            {
                _remoteTarget = contact.Uri;
            }
        }
    }

    private static string DialogTag(SipResponse response)
    {
        if (response.StatusCode is <= 100 or >= 300)
        {
            throw new ArgumentException($"A {response.StatusCode} does not create a dialog (a 101-299 with a To tag does).", nameof(response));
        }

        return response.To.Tag is { Length: > 0 } tag
            ? tag
            : throw new SipParseException(SipRejectionReason.BadHeader, "the response has no To tag, so it cannot create a dialog");
    }

    private static SipUri ContactOf(SipMessage message)
    {
        var contacts = message.Headers.GetValues(SipHeaderNames.Contact);
        if (contacts.Count == 0)
        {
            throw new SipParseException(SipRejectionReason.MissingRequiredHeader, "no Contact, so the dialog has no remote target");
        }

        if (contacts.Count > 1 || !NameAddress.TryParse(contacts[0], out var contact))
        {
            throw new SipParseException(SipRejectionReason.BadHeader, "a dialog needs exactly one valid Contact");
        }

        return contact.Uri;
    }

    private static IReadOnlyList<NameAddress> RouteSetOf(SipMessage message, bool reverse)
    {
        var values = message.Headers.GetValues(SipHeaderNames.RecordRoute);
        if (values.Count == 0)
        {
            return [];
        }

        var routes = new NameAddress[values.Count];
        for (var i = 0; i < routes.Length; i++)
        {
            routes[reverse ? routes.Length - 1 - i : i] = NameAddress.TryParse(values[i], out var route)
                ? route
                : throw new SipParseException(SipRejectionReason.BadHeader, "malformed Record-Route");
        }

        return routes;
    }
}
