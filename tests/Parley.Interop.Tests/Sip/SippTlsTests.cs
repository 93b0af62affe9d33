using Parley.Interop.Tests.Harness;

namespace Parley.Interop.Tests.Sip;

/// <summary>
/// Debian's sipp (3.6.1, "SCTP-PCAP-RTPSTREAM") is built without OpenSSL, so the sipp scenarios run
/// over UDP and TCP only; TLS to the sips port is covered by baresip (<see cref="BaresipTests"/>,
/// transport "tls": registration, presence and messages over TLS, verifying the node certificate
/// against Parley's CA). This test pins that reason: if Debian's sipp gains TLS, it fails, and the
/// scenarios should then run over TLS too (-t l1).
/// </summary>
public sealed class SippTlsTests
{
    [Fact]
    public async Task Debian_sipp_is_built_without_tls_so_tls_is_covered_by_baresip()
    {
        SippProcess.Require();
        var (code, stdout, stderr) = await ProcessRunner.RunAsync(
            SippProcess.Program, ["127.0.0.1:9", "-sn", "uac", "-t", "l1", "-m", "1", "-nostdin", "-timeout", "2s"], TimeSpan.FromSeconds(20));
        var text = stdout + stderr;
        Assert.True(
            code != 0 && text.Contains("compile SIPp with OpenSSL", StringComparison.Ordinal),
            $"sipp -t l1 no longer says it lacks TLS (exit {code}): run the sipp scenarios over TLS as well.\n{text}");
    }
}
