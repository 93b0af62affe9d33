using Parley.Server.Configuration;
using Parley.Server.Tests.Support;

namespace Parley.Server.Tests.Federation.Inbound;

/// <summary>Bootstrap <c>certificates.trustedPeerCa</c>: the CA file trusted for TLS peers, defaulting to the deployment CA.</summary>
public sealed class TrustedPeerCaConfigTests
{
    private static readonly BootstrapOverrides NoOverrides = new();

    [Fact]
    public void The_trusted_peer_ca_file_reaches_the_sip_options()
    {
        using var temp = new TempDirectory();
        var ca = Touch(temp, "peer-ca.pem");

        var options = Load(temp, """{ "certificates": { "trustedPeerCa": "peer-ca.pem" } }""");

        Assert.Equal(ca, options.TrustedPeerCaPath);
        Assert.Equal(ca, options.Sip.TrustedPeerCaPath);
    }

    [Fact]
    public void Without_it_the_deployment_ca_is_trusted_and_without_that_the_private_ca()
    {
        using var temp = new TempDirectory();
        var deployment = Touch(temp, "deployment-ca.pem");

        Assert.Equal(deployment, Load(temp, """{ "cms": { "master": "cms1.example.com", "caCertificate": "deployment-ca.pem" } }""").Sip.TrustedPeerCaPath);
        Assert.Null(Load(temp, "{}").Sip.TrustedPeerCaPath); // PeerTrustAnchors then reads <data>/certs/ca.pem
    }

    [Fact]
    public void A_missing_file_is_refused_naming_the_key_and_the_fix()
    {
        using var temp = new TempDirectory();

        var error = Assert.Throws<ConfigurationException>(() => Load(temp, """{ "certificates": { "trustedPeerCa": "nowhere.pem" } }"""));

        Assert.Equal("certificates.trustedPeerCa", error.Key);
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
        Assert.Contains("Fix:", error.Message, StringComparison.Ordinal);
    }

    private static NodeOptions Load(TempDirectory temp, string json)
    {
        var file = temp.Combine("parley.json");
        File.WriteAllText(file, json);
        return new BootstrapConfigLoader(temp.Path, "node1.example.com").Load(file, NoOverrides);
    }

    private static string Touch(TempDirectory temp, string name)
    {
        var path = temp.Combine(name);
        File.WriteAllText(path, "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n");
        return path;
    }
}
