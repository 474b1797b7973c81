-- Sign-in through an OpenID Connect provider: a person is one Keyport user per issuer and subject.
create unique index app_user_oidc_identity on app_user (oidc_issuer, oidc_subject)
    where oidc_subject is not null;
