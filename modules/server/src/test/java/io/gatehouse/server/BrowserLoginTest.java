package io.gatehouse.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.core.token.TokenHashes;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The login and consent pages in a real headless Chromium (Debian's {@code chromium} and
 * {@code chromedriver}, which {@code .ci/run} installs): a person signs in, consents and lands on the
 * client's redirect URI with a code, which then redeems.
 */
class BrowserLoginTest {
  static final String RP_CB = AuthorizationCodeFlowTest.RP_CB;
  static TestServer server;
  static WebDriver browser;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(Map.of());
    Path profile = Files.createTempDirectory("gatehouse-chromium");
    ChromeOptions options = new ChromeOptions()
        .setBinary("/usr/bin/chromium")
        .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
            "--user-data-dir=" + profile);
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new java.io.File("/usr/bin/chromedriver"))
        .usingAnyFreePort().build();
    browser = new ChromeDriver(service, options);
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (browser != null) {
        browser.quit();
      }
    } finally {
      server.close();
    }
  }

  @Test
  void aPersonSignsInConsentsAndLandsOnTheRedirectWithACode() throws Exception {
    String verifier = TokenHashes.random(32);
    String url = server.base + "/authorize?" + Browser.encode(Map.of("response_type", "code", "client_id", "rp", "redirect_uri", RP_CB,
        "scope", "openid profile", "state", "browser-state", "code_challenge", TokenHashes.s256(verifier), "code_challenge_method", "S256"));
    browser.get(url);
    assertThat(browser.getTitle()).isEqualTo("Sign in · Gatehouse");
    // the labels are tied to their fields (accessible names), and the password field is a real password field
    assertThat(browser.findElement(By.cssSelector("label[for=username]")).getText()).isEqualTo("Username");
    assertThat(browser.findElement(By.id("password")).getAttribute("type")).isEqualTo("password");

    browser.findElement(By.id("username")).sendKeys("alice");
    browser.findElement(By.id("password")).sendKeys("wrong password");
    browser.findElement(By.cssSelector("button[type=submit]")).click();
    // the click returns before the POST is answered (the password check takes a while): wait for the page
    WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(15));
    assertThat(wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("[role=alert]"))).getText())
        .isEqualTo("The username or password is not correct.");

    browser.findElement(By.id("password")).sendKeys("alice-password-123");
    browser.findElement(By.cssSelector("button[type=submit]")).click();
    wait.until(ExpectedConditions.titleIs("Allow access? · Gatehouse"));
    assertThat(browser.findElement(By.cssSelector("ul.scopes")).getText()).contains("Confirm who you are").contains("See your name and basic profile");

    browser.findElement(By.cssSelector("button[value=approve]")).click();
    // the redirect URI's host does not exist; the browser's address is what matters
    wait.until(d -> d.getCurrentUrl().startsWith(RP_CB));
    Map<String, String> response = Browser.query(browser.getCurrentUrl());
    assertThat(response).containsEntry("state", "browser-state").containsEntry("iss", server.base).containsKey("code");

    HttpResponse<String> tokens = server.form("grant_type=authorization_code&code=" + response.get("code") + "&redirect_uri="
        + java.net.URLEncoder.encode(RP_CB, "UTF-8") + "&code_verifier=" + verifier,
        "Authorization", TestServer.basic("rp", AuthorizationCodeFlowTest.RP_SECRET));
    assertThat(tokens.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(tokens.body()).containsKey("id_token")).isTrue();
  }
}
