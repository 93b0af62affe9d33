using Parley.Server.Sessions;
using Parley.Xmpp.Addressing;

namespace Parley.Server.Privacy;

/// <summary>Answers "does X block / allow Y" from memory for online users and from the store otherwise.</summary>
public sealed class PrivacyCheck(SessionRegistry registry, IPrivacyStore store)
{
    public ValueTask<bool> IsBlockingAsync(Jid owner, Jid other, CancellationToken cancellationToken)
        => CheckAsync(owner, other, PrivacyListKind.Block, cancellationToken);

    public ValueTask<bool> IsAllowingAsync(Jid owner, Jid other, CancellationToken cancellationToken)
        => CheckAsync(owner, other, PrivacyListKind.Allow, cancellationToken);

    private async ValueTask<bool> CheckAsync(Jid owner, Jid other, PrivacyListKind kind, CancellationToken cancellationToken)
    {
        if (registry.Find(owner.Bare) is { Retired: false } online)
        {
            return kind == PrivacyListKind.Block ? online.IsBlocking(other) : online.IsAllowing(other);
        }

        var list = await store.GetAsync(owner.Bare, kind, cancellationToken).ConfigureAwait(false);
        return OnlineUser.Matches([.. list], other);
    }
}
