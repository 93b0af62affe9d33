using Parley.Sip.Messages;

namespace Parley.Sip.Dialogs;

/// <summary>RFC 3261 §12: a dialog is identified by Call-ID, local tag and remote tag (from the holder's point of view).</summary>
public readonly record struct DialogId(string CallId, string LocalTag, string RemoteTag)
{
    /// <summary>The dialog a received in-dialog request belongs to: local = To tag, remote = From tag.</summary>
    public static DialogId ForIncoming(SipRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new DialogId(request.CallId, request.To.Tag ?? string.Empty, request.From.Tag ?? string.Empty);
    }

    /// <summary>The dialog a received response to our request belongs to: local = From tag, remote = To tag.</summary>
    public static DialogId ForResponse(SipResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return new DialogId(response.CallId, response.From.Tag ?? string.Empty, response.To.Tag ?? string.Empty);
    }
}
