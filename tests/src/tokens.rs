//! The token lifecycle every socket has, room or inbox, as one scenario both kinds of
//! socket's tests run.

use edgechat_protocol::{ClientMsg, ServerMsg, frame};

use crate::{account::Session, server::Server, socket::Client};

/// The token lifecycle every socket has, room or inbox: on `kept`, a garbage token is
/// refused with `unauthorized` and a fresh one for `who` is accepted in place; `lapsed`,
/// which got none, is closed with `token-expired` when its token runs out, while `kept`
/// still works. The server must run with a short `ACCESS_TTL_MS`.
pub async fn a_fresh_token_keeps_the_socket_and_none_closes_it(
    server: &Server,
    who: &Session,
    kept: &mut Client,
    lapsed: &mut Client,
) {
    use edgechat_protocol::{ErrorCode, close};
    kept.send(&ClientMsg::Authenticate {
        token: "garbage".into(),
    })
    .await;
    match kept
        .recv_until(|m| matches!(m, ServerMsg::Error(frame::Error { .. })))
        .await
    {
        ServerMsg::Error(frame::Error { code, .. }) => assert_eq!(code, ErrorCode::Unauthorized),
        _ => unreachable!(),
    }
    // Token expiries are whole seconds, so a token minted in the same second as the
    // lapsed one would end with it. The first refresh is minted after every token the
    // sockets hold; refreshing again (each time with the rotated token) until one
    // expires a second later gives a token that outlives them all.
    let first = server.refresh(&who.refresh_token).await.unwrap();
    let (mut rotated, second) = (first.refresh_token, first.access_expires_at / 1_000);
    let fresh = crate::wait::until("a token that outlives the lapsed one", async || {
        let next = server.refresh(&rotated).await.unwrap();
        rotated = next.refresh_token.clone();
        if next.access_expires_at / 1_000 > second {
            Ok(next)
        } else {
            Err(next.access_expires_at)
        }
    })
    .await;
    kept.send(&ClientMsg::Authenticate {
        token: fresh.access_token,
    })
    .await;
    let answer = kept
        .recv_until(|m| matches!(m, ServerMsg::Authenticated(frame::Authenticated { .. })))
        .await;
    assert!(
        matches!(answer, ServerMsg::Authenticated(frame::Authenticated { user_id, .. }) if user_id == who.user_id)
    );
    assert_eq!(lapsed.closed_with().await, Some(close::TOKEN_EXPIRED));
    // The refreshed socket outlived the old token and still works.
    kept.sync().await;
}
