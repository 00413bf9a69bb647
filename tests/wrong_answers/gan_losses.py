"""Plausible wrong answers to the exercises of "GAN losses"."""

from .common import REDUCE

RSGAN = '''
def rsgan_d_loss(l_real, l_fake, reduction="mean"):
    per_element = {d}
''' + REDUCE + '''

def rsgan_g_loss(l_real, l_fake, reduction="mean"):
    per_element = {g}
''' + REDUCE

R1 = '''
def r1_penalty(critic, real, gamma):
{body}
'''

HINGE = '''
def hinge_optimum(p, q):
    d_star = {d}
    tv = {tv}
    min_loss = {loss}
    return d_star, min_loss, tv


def hinge_min_from_tv(tv):
    return {from_tv}
'''
RIGHT_D, RIGHT_TV = "torch.sign(p - q)", "0.5 * (p - q).abs().sum(-1)"
RIGHT_LOSS = "2 * torch.minimum(p, q).sum(-1)"
RIGHT_FROM_TV = "2 - 2 * tv"

STEP = '''
def train_step(gen, dis, opt_g, opt_d, real, z):
{body}
'''

GRADIENTS = '''
def generator_gradients(theta0):
    eps = torch.linspace(-12, 12, 48001, dtype=theta0.dtype)
    x = theta0[:, None] + eps
    weight = torch.exp(-0.5 * eps**2) / math.sqrt(2 * math.pi)
    logit = {logit}
    minimax = {factor} * torch.trapezoid(weight * torch.sigmoid(logit), eps)
    ns = {factor} * torch.trapezoid(weight * torch.sigmoid(-logit), eps)
    return torch.stack([minimax, ns])
'''

CHOICE = '''
def still_learning():
    return {{"generator": {g}, "discriminator": {d}}}
'''
ALL_BUT_MINIMAX = ('{"non-saturating", "least squares", "WGAN (clipping)", '
                   '"WGAN-GP", "hinge"}')

WRONG = {
    "rsgan": {
        "-log(sigmoid(u)) computed naively (infinite at ±1000)":
            RSGAN.format(d="-torch.log(torch.sigmoid(l_real - l_fake))",
                         g="-torch.log(torch.sigmoid(l_fake - l_real))"),
        "the generator maximises the discriminator's loss (minimax form)":
            RSGAN.format(d="F.softplus(l_fake - l_real)",
                         g="-F.softplus(l_fake - l_real)"),
        "not relativistic: the standard GAN losses":
            RSGAN.format(d="F.softplus(-l_real) + F.softplus(l_fake)",
                         g="F.softplus(-l_fake) + 0 * l_real"),
        "the real logits detached in the generator's loss":
            RSGAN.format(d="F.softplus(l_fake - l_real)",
                         g="F.softplus(l_real.detach() - l_fake)"),
        "the sign of the difference swapped":
            RSGAN.format(d="F.softplus(l_real - l_fake)",
                         g="F.softplus(l_fake - l_real)"),
    },
    "r1-penalty": {
        "no create_graph=True: the penalty trains nothing": R1.format(body='''
    x = real.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(x).sum(), x)
    return 0.5 * gamma * grad.pow(2).sum(-1).mean()'''),
        "the norm, not its square": R1.format(body='''
    x = real.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(x).sum(), x, create_graph=True)
    return 0.5 * gamma * grad.norm(dim=-1).mean()'''),
        "gamma instead of gamma / 2": R1.format(body='''
    x = real.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(x).sum(), x, create_graph=True)
    return gamma * grad.pow(2).sum(-1).mean()'''),
        "the gradient of the mean logit (divided by the batch size)":
            R1.format(body='''
    x = real.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(x).mean(), x, create_graph=True)
    return 0.5 * gamma * grad.pow(2).sum(-1).mean()'''),
        "the WGAN-GP penalty (norm - 1)^2 instead": R1.format(body='''
    x = real.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(x).sum(), x, create_graph=True)
    return 0.5 * gamma * ((grad.norm(dim=-1) - 1) ** 2).mean()'''),
    },
    "hinge-optimum": {
        "d* = (p - q) / (p + q), by analogy with least squares":
            HINGE.format(
                from_tv=RIGHT_FROM_TV,
                d="(p - q) / (p + q).clamp_min(1e-300)", tv=RIGHT_TV,
                         loss=RIGHT_LOSS),
        "the sign flipped: d* = sign(q - p)":
            HINGE.format(
                from_tv=RIGHT_FROM_TV,
                d="torch.sign(q - p)", tv=RIGHT_TV, loss=RIGHT_LOSS),
        "total variation without the 1/2":
            HINGE.format(
                from_tv=RIGHT_FROM_TV,
                d=RIGHT_D, tv="(p - q).abs().sum(-1)",
                         loss=RIGHT_LOSS),
        "the minimum as 1 - TV (the factor 2 dropped)":
            HINGE.format(
                from_tv=RIGHT_FROM_TV,
                d=RIGHT_D, tv=RIGHT_TV,
                         loss="1 - 0.5 * (p - q).abs().sum(-1)"),
        "d* = sigmoid of the log ratio, a probability":
            HINGE.format(
                from_tv=RIGHT_FROM_TV,
                d="torch.sigmoid(torch.log(p) - torch.log(q))",
                         tv=RIGHT_TV, loss=RIGHT_LOSS),
        "the minimum from TV as 1 - TV (the factor 2 dropped)":
            HINGE.format(from_tv="1 - tv", d=RIGHT_D, tv=RIGHT_TV,
                         loss=RIGHT_LOSS),
        "the minimum from TV as 2 - TV (TV taken as the L1 distance)":
            HINGE.format(from_tv="2 - tv", d=RIGHT_D, tv=RIGHT_TV,
                         loss=RIGHT_LOSS),
        "the minimum from TV as 2 TV (the distance, not the loss)":
            HINGE.format(from_tv="2 * tv", d=RIGHT_D, tv=RIGHT_TV,
                         loss=RIGHT_LOSS),
    },
    "train-step": {
        "the colleague's code, unchanged": STEP.format(body='''
    fake = gen(z)
    d_loss = (F.softplus(-dis(real)) + F.softplus(dis(fake))).mean()
    opt_d.zero_grad()
    d_loss.backward()
    g_loss = F.softplus(dis(fake)).mean()
    g_loss.backward()
    opt_d.step()
    opt_g.step()
    return d_loss, g_loss'''),
        "only the sign fixed: D still steps after the generator's backward":
            STEP.format(body='''
    fake = gen(z)
    d_loss = (F.softplus(-dis(real)) + F.softplus(dis(fake.detach()))).mean()
    opt_d.zero_grad()
    d_loss.backward()
    g_loss = F.softplus(-dis(fake)).mean()
    opt_g.zero_grad()
    g_loss.backward()
    opt_d.step()
    opt_g.step()
    return d_loss, g_loss'''),
        "fakes not detached and the generator's gradients never cleared":
            STEP.format(body='''
    fake = gen(z)
    d_loss = (F.softplus(-dis(real)) + F.softplus(dis(fake))).mean()
    opt_d.zero_grad()
    d_loss.backward(retain_graph=True)
    opt_d.step()
    g_loss = F.softplus(-dis(gen(z))).mean()
    g_loss.backward()
    opt_g.step()
    return d_loss, g_loss'''),
        "the minimax generator loss instead of the non-saturating one":
            STEP.format(body='''
    fake = gen(z)
    d_loss = (F.softplus(-dis(real)) + F.softplus(dis(fake.detach()))).mean()
    opt_d.zero_grad()
    d_loss.backward()
    opt_d.step()
    g_loss = -F.softplus(dis(fake)).mean()
    opt_g.zero_grad()
    g_loss.backward()
    opt_g.step()
    return d_loss, g_loss'''),
        "the generator's loss with the sign error kept": STEP.format(body='''
    fake = gen(z)
    d_loss = (F.softplus(-dis(real)) + F.softplus(dis(fake.detach()))).mean()
    opt_d.zero_grad()
    d_loss.backward()
    opt_d.step()
    g_loss = F.softplus(dis(fake)).mean()
    opt_g.zero_grad()
    g_loss.backward()
    opt_g.step()
    return d_loss, g_loss'''),
    },
    "optimal-d-gradients": {
        "the logit's sign flipped (log p_theta - log p_data)":
            GRADIENTS.format(
                logit="-(0.5 * theta0[:, None] ** 2 - theta0[:, None] * x)",
                factor="theta0"),
        "the derivative in the logit, without d logit / dx = -theta0":
            GRADIENTS.format(
                logit="0.5 * theta0[:, None] ** 2 - theta0[:, None] * x",
                factor="1"),
        "the sign of d logit / dx lost (gradient ascent direction)":
            GRADIENTS.format(
                logit="0.5 * theta0[:, None] ** 2 - theta0[:, None] * x",
                factor="-theta0"),
        "a Monte Carlo estimate with 100000 draws": '''
def generator_gradients(theta0):
    g = generator("monte-carlo")
    eps = torch.randn(100000, generator=g, dtype=theta0.dtype)
    x = theta0[:, None] + eps
    logit = 0.5 * theta0[:, None] ** 2 - theta0[:, None] * x
    minimax = theta0 * torch.sigmoid(logit).mean(1)
    ns = theta0 * torch.sigmoid(-logit).mean(1)
    return torch.stack([minimax, ns])
''',
    },
    "still-learning": {
        "the minimax generator counted as learning":
            CHOICE.format(g='{"minimax", "non-saturating", "least squares", '
                            '"WGAN (clipping)", "WGAN-GP", "hinge"}',
                          d='{"hinge"}'),
        "least squares thought to saturate like the minimax loss":
            CHOICE.format(g='{"non-saturating", "WGAN (clipping)", "WGAN-GP", '
                            '"hinge"}', d='{"hinge"}'),
        "the cross-entropy discriminators thought to stop learning":
            CHOICE.format(g=ALL_BUT_MINIMAX,
                          d='{"hinge", "minimax", "non-saturating"}'),
        "no discriminator stops learning": CHOICE.format(g=ALL_BUT_MINIMAX,
                                                         d="set()"),
    },
}

SIGNATURES = '''
def predict_signatures():
    return {{"minimax": "{mm}", "wrong sign": "{ws}", "no D step": "{nd}"}}
'''
WRONG["diagnose-curves"] = {
    "the minimax generator predicted to saturate and flee":
        SIGNATURES.format(mm="D wins, G flees", ws="D wins, G flees",
                          nd="D loss rises"),
    "the wrong sign and the missing D step swapped":
        SIGNATURES.format(mm="converges", ws="D loss rises",
                          nd="D wins, G flees"),
    "a frozen discriminator thought harmless":
        SIGNATURES.format(mm="converges", ws="D wins, G flees",
                          nd="converges"),
}
