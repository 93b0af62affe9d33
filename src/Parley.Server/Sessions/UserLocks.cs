using Parley.Xmpp.Addressing;

namespace Parley.Server.Sessions;

/// <summary>
/// Serialises changes to one user's roster and privacy data across connections and processes within this node.
/// Striped so memory does not grow with users; a caller holds at most one stripe at a time, so no deadlock.
/// </summary>
public sealed class UserLocks
{
    private readonly SemaphoreSlim[] _stripes;

    public UserLocks(int stripes = 256)
    {
        _stripes = new SemaphoreSlim[stripes];
        for (var i = 0; i < stripes; i++)
        {
            _stripes[i] = new SemaphoreSlim(1, 1);
        }
    }

    public async ValueTask<Releaser> AcquireAsync(Jid bareJid, CancellationToken cancellationToken)
    {
        var stripe = _stripes[(bareJid.GetHashCode() & int.MaxValue) % _stripes.Length];
        await stripe.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Releaser(stripe);
    }

    public readonly struct Releaser(SemaphoreSlim stripe) : IDisposable
    {
        public void Dispose() => stripe.Release();
    }
}
