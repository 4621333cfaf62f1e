# Custom domains: the parent needs an A record (in a zone we can see).

# One domain per user pool.
resource "aws_cognito_user_pool" "auth" {
  name = "corpus-auth"
}

resource "aws_cognito_user_pool" "login" {
  name = "corpus-login"
}

resource "aws_cognito_user_pool" "prefix" {
  name = "corpus-prefix"
}

resource "aws_route53_zone" "example" {
  name = "example.com"
}

# auth.example.com: example.com has no A record.
resource "aws_cognito_user_pool_domain" "auth" {
  domain          = "auth.example.com"
  certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"
  user_pool_id    = aws_cognito_user_pool.auth.id
}

resource "aws_route53_zone" "shop" {
  name = "shop.example.org"
}

resource "aws_route53_record" "shop_apex" {
  zone_id = aws_route53_zone.shop.zone_id
  name    = "shop.example.org"
  type    = "A"
  ttl     = 300
  records = ["192.0.2.1"]
}

# login.shop.example.org: shop.example.org has an A record.
resource "aws_cognito_user_pool_domain" "login" {
  domain          = "login.shop.example.org"
  certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/66666666-7777-8888-9999-000000000000"
  user_pool_id    = aws_cognito_user_pool.login.id
}

# A prefix domain (amazoncognito.com) needs nothing.
resource "aws_cognito_user_pool_domain" "prefix" {
  domain       = "corpus-prefix"
  user_pool_id = aws_cognito_user_pool.prefix.id
}
