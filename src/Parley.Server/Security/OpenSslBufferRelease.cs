using System.Net.Security;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Parley.Server.Security;

/// <summary>
/// Asks OpenSSL to free a connection's record buffers while it is idle (SSL_MODE_RELEASE_BUFFERS), which .NET does
/// not set. Idle XMPP connections are the common case, and the buffers are about 34 KB each: without this the node
/// cannot hold tens of thousands of sessions in little memory. .NET exposes no API for it, so the SSL handle is read
/// through reflection; if a runtime changes that, the connection works as before and <see cref="IsSupported"/> says
/// so (a test pins it).
/// </summary>
public static class OpenSslBufferRelease
{
    private const int SslCtrlMode = 33;
    private const long SslModeReleaseBuffers = 0x10;

    private static readonly FieldInfo? SecurityContextField =
        typeof(SslStream).GetField("_securityContext", BindingFlags.NonPublic | BindingFlags.Instance);

    public static bool IsSupported => SecurityContextField is not null && OperatingSystem.IsLinux();

    /// <summary>Enables buffer release on an authenticated stream; returns whether the mode is now set.</summary>
    public static bool TryEnable(SslStream stream)
    {
        if (!IsSupported || SecurityContextField!.GetValue(stream) is not SafeHandle { IsInvalid: false, IsClosed: false } ssl)
        {
            return false;
        }

        var added = false;
        try
        {
            ssl.DangerousAddRef(ref added);
            var mode = SslCtrl(ssl.DangerousGetHandle(), SslCtrlMode, SslModeReleaseBuffers, IntPtr.Zero);
            return (mode & SslModeReleaseBuffers) != 0;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
        finally
        {
            if (added)
            {
                ssl.DangerousRelease();
            }
        }
    }

    [DllImport("libssl.so.3", EntryPoint = "SSL_ctrl")]
    private static extern long SslCtrl(IntPtr ssl, int command, long larg, IntPtr parg);
}
