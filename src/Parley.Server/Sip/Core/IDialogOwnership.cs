using Parley.Sip.Dialogs;
using Parley.Xmpp.Addressing;

namespace Parley.Server.Sip.Core;

/// <summary>
/// Something that keeps dialogs Parley answered as UAS (IM sessions, presence subscriptions) and knows who opened
/// each. Registered in DI as <see cref="IDialogOwnership"/>; the <see cref="SipRequestDispatcher"/> asks every one
/// about a request with a To tag, which it then attributes to that owner instead of challenging it: the dialog's
/// Call-ID and both tags were agreed in a request that did authenticate, and clients such as sipp sign every digest
/// over one fixed URI, so they cannot answer a challenge to a request sent to our Contact.
/// </summary>
public interface IDialogOwnership
{
    /// <summary>
    /// The remote party of the dialog: the user (bare JID) who authenticated when it was created, or a user of the
    /// federation peer (<see cref="DialogParty.IsPeer"/>); null when this holder has no such dialog.
    /// <paramref name="dialog"/> is as seen by Parley: local tag = the request's To tag, remote = its From tag
    /// (<see cref="DialogId.ForIncoming"/>).
    /// </summary>
    DialogParty? OwnerOf(DialogId dialog);
}

/// <summary>
/// Who sends requests inside a dialog. <see cref="IsPeer"/>: a user of the federation peer (no local account; the
/// dialog was opened with the peer, trusted by the incoming ACL or TLS peer authentication), so no account check.
/// </summary>
public sealed record DialogParty(Jid User, bool IsPeer = false);
