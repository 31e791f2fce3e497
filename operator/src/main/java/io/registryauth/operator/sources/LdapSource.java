package io.registryauth.operator.sources;

import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPException;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.registryauth.api.v1alpha1.AuthenticationSpec;
import io.registryauth.api.v1alpha1.LdapSpec;
import io.registryauth.api.v1alpha1.RegistryAuth;
import io.registryauth.api.v1alpha1.SecretKeyReference;
import io.registryauth.operator.model.GrantModel;
import io.registryauth.realm.auth.Authenticator;
import io.registryauth.realm.auth.TrustBundles;
import io.registryauth.realm.auth.ldap.LdapAuthenticator;
import io.registryauth.realm.auth.ldap.LdapDirectory;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * LDAP and Active Directory ({@code spec.authentication.ldap[]}): each entry becomes an {@link LdapDirectory},
 * with its bind password and CA bundle read from Secrets of the RegistryAuth's namespace. A directory whose
 * spec or Secrets cannot be used is left out with a {@value #DIRECTORY_UNAVAILABLE} problem naming the field,
 * Secret and key, never their content (never the bind password); the other sources keep serving.
 */
public final class LdapSource implements IdentitySource {
    public static final String DIRECTORY_UNAVAILABLE = "DirectoryUnavailable";

    @Override
    public Set<String> secretNames(RegistryAuth auth) {
        Set<String> names = new LinkedHashSet<>();
        for (LdapSpec spec : specs(auth)) {
            for (SecretKeyReference ref : new SecretKeyReference[] {spec.getBindPasswordRef(), spec.getCaBundleRef()}) {
                if (ref != null && ref.getName() != null) {
                    names.add(ref.getName());
                }
            }
        }
        return names;
    }

    @Override
    public Optional<Object> realmValue(Inputs in, List<GrantModel.Problem> problems) {
        List<LdapSpec> specs = specs(in.auth());
        if (specs.isEmpty()) {
            return Optional.empty();
        }
        List<LdapDirectory> directories = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (LdapSpec spec : specs) {
            String what = "directory " + spec.getName();
            if (spec.getName() == null || spec.getName().isBlank() || spec.getUrls().isEmpty()
                    || spec.getUserSearch() == null || spec.getUserSearch().getBaseDN() == null) {
                problems.add(new GrantModel.Problem(DIRECTORY_UNAVAILABLE, what
                        + ": spec.authentication.ldap entries need a name, urls and userSearch.baseDN"));
                continue;
            }
            if (!names.add(spec.getName())) {
                problems.add(new GrantModel.Problem(DIRECTORY_UNAVAILABLE, what + " is listed twice; only the first"
                        + " entry is used"));
                continue;
            }
            directory(in, spec, what, problems).ifPresent(directories::add);
        }
        return Optional.of(new LdapAuthenticator.LdapDirectories(directories));
    }

    private static Optional<LdapDirectory> directory(Inputs in, LdapSpec spec, String what,
                                                     List<GrantModel.Problem> problems) {
        String bindPassword = null;
        if (spec.getBindDN() != null && !spec.getBindDN().isBlank()) {
            Optional<String> password = SecretValues.read(in.secrets(), spec.getBindPasswordRef(),
                    what + " bindPasswordRef", DIRECTORY_UNAVAILABLE, problems);
            if (password.isEmpty()) {
                return Optional.empty();
            }
            bindPassword = password.get().strip();
        }
        String caBundle = null;
        if (spec.getCaBundleRef() != null) {
            Optional<String> pem = SecretValues.read(in.secrets(), spec.getCaBundleRef(), what + " caBundleRef",
                    DIRECTORY_UNAVAILABLE, problems);
            if (pem.isEmpty()) {
                return Optional.empty();
            }
            try {
                TrustBundles.trusting(pem.get());
            } catch (IllegalArgumentException e) {
                problems.add(new GrantModel.Problem(DIRECTORY_UNAVAILABLE, what + " caBundleRef Secret "
                        + spec.getCaBundleRef().getName() + " key " + spec.getCaBundleRef().getKey()
                        + " holds no usable PEM certificate"));
                return Optional.empty();
            }
            caBundle = pem.get();
        }
        LdapSpec.LdapGroupsSpec groups = spec.getGroups();
        Optional<String> badFilter = filterProblem("userSearch.filter", spec.getUserSearch().getFilter());
        if (badFilter.isEmpty() && groups != null) {
            badFilter = filterProblem("groups.filter", groups.getFilter());
        }
        if (badFilter.isPresent()) {
            problems.add(new GrantModel.Problem(DIRECTORY_UNAVAILABLE, what + ": " + badFilter.get()));
            return Optional.empty();
        }
        try {
            return Optional.of(new LdapDirectory(spec.getName(), spec.getUrls(), spec.isStartTLS(), caBundle,
                    blankToNull(spec.getBindDN()), bindPassword, spec.getUserSearch().getBaseDN(),
                    spec.getUserSearch().getFilter(), spec.getUserSearch().getLoginAttribute(),
                    groups == null ? null : blankToNull(groups.getMemberAttribute()),
                    groups == null ? null : blankToNull(groups.getBaseDN()),
                    groups == null ? null : groups.getFilter(), groups == null ? null : groups.getNameAttribute(),
                    groups == null ? 0 : groups.getNestedDepth(), groups != null && groups.isActiveDirectory(),
                    spec.getUsernamePrefix(),
                    LdapSpec.duration("connectTimeout", spec.getConnectTimeout(), "3s"),
                    LdapSpec.duration("operationTimeout", spec.getOperationTimeout(), "5s"),
                    LdapSpec.duration("cacheTTL", spec.getCacheTTL(), "5m"),
                    LdapSpec.duration("groupCacheTTL", spec.getGroupCacheTTL(), "1m")));
        } catch (IllegalArgumentException e) {
            problems.add(new GrantModel.Problem(DIRECTORY_UNAVAILABLE, what + ": " + e.getMessage()));
            return Optional.empty();
        }
    }

    /** Each directory's servers, connected to and bound as the realm's bind DN. */
    @Override
    public List<GrantModel.Problem> probe(Object realmValue) {
        List<GrantModel.Problem> problems = new ArrayList<>();
        if (realmValue instanceof LdapAuthenticator.LdapDirectories directories) {
            for (LdapDirectory directory : directories.all()) {
                LdapAuthenticator.check(directory).forEach(problem -> problems.add(new GrantModel.Problem(
                        DIRECTORY_UNAVAILABLE, "directory " + directory.name() + " " + problem)));
            }
        }
        return problems;
    }

    @Override
    public Authenticator authenticator(KubernetesClient client) {
        return new LdapAuthenticator();
    }

    /** Why a filter (with its placeholders filled) is no valid LDAP filter, if it is not. */
    private static Optional<String> filterProblem(String field, String filter) {
        if (filter == null || filter.isBlank()) {
            return Optional.empty();
        }
        try {
            Filter.create(filter.replace("{0}", "x").replace("{dn}", "cn=x"));
            return Optional.empty();
        } catch (LDAPException e) {
            return Optional.of(field + " is not a valid LDAP filter");
        }
    }

    private static List<LdapSpec> specs(RegistryAuth auth) {
        AuthenticationSpec authentication = auth.getSpec() == null ? null : auth.getSpec().getAuthentication();
        return authentication == null ? List.of() : authentication.getLdap().stream().filter(s -> s != null).toList();
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
